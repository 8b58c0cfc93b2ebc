using System.Buffers.Binary;
using System.Globalization;
using Hark.Audio;

namespace Hark.Synthesis;

/// <summary>Runs espeak-ng or flite for one speaker and text and returns the audio at the engine's own rate.</summary>
public static class SpeechEngines
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static AudioClip Speak(SynthSpeaker speaker, string text, CancellationToken cancellationToken = default)
    {
        byte[] wav = speaker.Engine switch
        {
            VoiceCatalog.Espeak => ExternalTool.Run(VoiceCatalog.Espeak, VoiceCatalog.Espeak, EspeakArguments(speaker, text), Timeout, cancellationToken),
            VoiceCatalog.Flite => ExternalTool.Run(VoiceCatalog.Flite, VoiceCatalog.Flite, FliteArguments(speaker, text), Timeout, cancellationToken),
            _ => throw new HarkException($"unknown synthesizer '{speaker.Engine}'"),
        };
        RepairStreamedSizes(wav);
        return WavReader.Parse(wav, $"{speaker.Engine} output for \"{text}\" ({speaker.Descriptor})");
    }

    public static IReadOnlyList<string> EspeakArguments(SynthSpeaker speaker, string text) =>
    [
        "-v", speaker.Variant is null ? speaker.Voice : $"{speaker.Voice}+{speaker.Variant}",
        "-s", speaker.Rate.ToString(CultureInfo.InvariantCulture),
        "-p", speaker.Pitch.ToString(CultureInfo.InvariantCulture),
        "--stdout", "--", text,
    ];

    public static IReadOnlyList<string> FliteArguments(SynthSpeaker speaker, string text) =>
    [
        "-voice", speaker.Voice,
        "--setf", string.Create(CultureInfo.InvariantCulture, $"duration_stretch={speaker.Rate / 100.0}"),
        "--setf", string.Create(CultureInfo.InvariantCulture, $"int_f0_target_mean={speaker.Pitch}"),
        "-t", text,
        // flite sizes its header before writing, so /dev/stdout gets a complete file without a temp file.
        "-o", "/dev/stdout",
    ];

    /// <summary>
    /// espeak-ng writing to a pipe cannot seek back, so its header claims 0x7FFFF000 bytes of data. The true sizes
    /// are known once the pipe closes; writing them in makes the bytes an ordinary, strictly valid WAV file.
    /// </summary>
    internal static void RepairStreamedSizes(Span<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8)) return;
        BinaryPrimitives.WriteInt32LittleEndian(wav[4..], wav.Length - 8);
        for (int at = 12; at + 8 <= wav.Length;)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(wav[(at + 4)..]);
            if (wav.Slice(at, 4).SequenceEqual("data"u8))
            {
                if (size < 0 || size > wav.Length - at - 8) BinaryPrimitives.WriteInt32LittleEndian(wav[(at + 4)..], wav.Length - at - 8);
                return;
            }
            if (size < 0) return;
            at += 8 + size + (size & 1);
        }
    }
}
