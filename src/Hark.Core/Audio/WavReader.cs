using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>
/// Reads RIFF/WAVE files: PCM 8 (unsigned), 16, 24 and 32-bit, IEEE float 32 and 64-bit, plain or
/// WAVE_FORMAT_EXTENSIBLE, any channel count (averaged to mono) and any rate up to
/// <see cref="MaxSampleRate"/>. Any failure is a <see cref="WavFormatException"/> naming the file and the
/// problem; no other exception escapes for any byte content.
/// </summary>
/// <remarks>
/// <para>Tolerance, chosen for files real recorders and tools write:</para>
/// <list type="bullet">
/// <item>Chunks may come in any order (fmt after data too) and unknown chunks are skipped. Odd-sized chunks are
/// followed by a pad byte as RIFF requires; a writer that forgot it is recognised when the padded position does not
/// hold a chunk id but the unpadded one does.</item>
/// <item>A data chunk that claims more bytes than the file holds (a recorder that crashed or never rewrote the
/// header, RF64 with its 0xFFFFFFFF placeholder) yields the whole frames present. So does a data size of 0 that is
/// followed by audio rather than by another chunk. A trailing partial frame is dropped.</item>
/// <item>The RIFF size field is ignored: it is wrong in too many files to be useful, and the chunk sizes suffice.</item>
/// <item>A valid file with no frames gives an empty clip: it is not malformed, and callers decide what too short means.</item>
/// <item>Float files with NaN or infinite samples are rejected: they would silently poison features and training.</item>
/// </list>
/// </remarks>
public static class WavReader
{
    /// <summary>
    /// Rates above this are not audio a microphone produced (the highest studio rate is 768 kHz); refusing them
    /// keeps a corrupt header from asking the resampler for a filter of millions of taps.
    /// </summary>
    public const int MaxSampleRate = 1_000_000;

    /// <summary>Reads a file, downmixes to mono and resamples to <see cref="AudioClip.PipelineRate"/>.</summary>
    public static AudioClip ReadPipeline(string path) => ToPipelineRate(Read(path), path);

    /// <summary>Reads a file and downmixes it to mono at the file's own sample rate.</summary>
    public static AudioClip Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new WavFormatException(path, "file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WavFormatException(path, $"cannot read file ({e.Message})");
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses WAV bytes like <see cref="ReadPipeline"/>: mono at <see cref="AudioClip.PipelineRate"/>.</summary>
    public static AudioClip ParsePipeline(ReadOnlySpan<byte> bytes, string sourceName) => ToPipelineRate(Parse(bytes, sourceName), sourceName);

    /// <summary>Parses WAV bytes like <see cref="Read"/>; <paramref name="sourceName"/> names them in errors.</summary>
    public static AudioClip Parse(ReadOnlySpan<byte> bytes, string sourceName)
    {
        CheckRiffHeader(bytes, sourceName);
        var format = FindFormatAndData(bytes, sourceName, out int dataStart, out int dataLength);
        var samples = new float[dataLength / format.BlockAlign];
        int nonFinite = SampleDecoding.DecodeMono(bytes.Slice(dataStart, dataLength), format, samples);
        if (nonFinite >= 0)
            throw new WavFormatException(sourceName, $"sample frame {nonFinite} is NaN or infinite");
        return new AudioClip(samples, format.SampleRate);
    }

    /// <summary>The format and where the audio starts, from the first bytes of a file (for <see cref="Pcm16WavStream"/>).</summary>
    internal static WavFormat ParseHeader(ReadOnlySpan<byte> head, string sourceName, out int dataStart, out int dataLength)
    {
        CheckRiffHeader(head, sourceName);
        return FindFormatAndData(head, sourceName, out dataStart, out dataLength);
    }

    private static AudioClip ToPipelineRate(AudioClip clip, string sourceName)
    {
        if (clip.SampleRate == AudioClip.PipelineRate) return clip;
        var resampler = Resampler.For(clip.SampleRate, AudioClip.PipelineRate);
        if (resampler.OutputLength(clip.Samples.Length) > Array.MaxLength)
            throw new WavFormatException(sourceName,
                $"{clip.Samples.Length} frames at {clip.SampleRate} Hz are too long to convert to {AudioClip.PipelineRate} Hz");
        return new AudioClip(resampler.Resample(clip.Samples), AudioClip.PipelineRate);
    }

    private static void CheckRiffHeader(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes.IsEmpty) throw new WavFormatException(sourceName, "file is empty");
        string? otherFormat = RecogniseOtherFormat(bytes);
        if (otherFormat != null) throw new WavFormatException(sourceName, $"this is {otherFormat}, not WAV");
        if (bytes.Length < 12)
            throw new WavFormatException(sourceName, $"file is {bytes.Length} bytes, too short to be a WAV file");
        if (!bytes.StartsWith("RIFF"u8) && !bytes.StartsWith("RF64"u8))
            throw new WavFormatException(sourceName, "not a WAV file (no RIFF header)");
        if (!bytes[8..].StartsWith("WAVE"u8))
            throw new WavFormatException(sourceName, $"RIFF file of type '{FourCC(bytes[8..12])}', not WAVE");
    }

    private static string? RecogniseOtherFormat(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("RIFX"u8)) return "a big-endian RIFX file, which is not supported";
        if (bytes.StartsWith("ID3"u8) || (bytes.Length >= 2 && bytes[0] == 0xFF && (bytes[1] & 0xE0) == 0xE0))
            return "an MP3 file";
        if (bytes.StartsWith("OggS"u8)) return "an Ogg file";
        if (bytes.StartsWith("fLaC"u8)) return "a FLAC file";
        if (bytes.StartsWith("FORM"u8)) return "an AIFF file";
        return null;
    }

    private static WavFormat FindFormatAndData(ReadOnlySpan<byte> bytes, string sourceName, out int dataStart, out int dataLength)
    {
        WavFormat? format = null;
        dataStart = -1;
        dataLength = 0;
        string? overrun = null;
        long position = 12;
        while (position + 8 <= bytes.Length && (format is null || dataStart < 0))
        {
            var header = bytes.Slice((int)position, 8);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            int body = (int)position + 8;
            int available = bytes.Length - body;
            if (header.StartsWith("data"u8))
            {
                if (dataStart < 0)
                {
                    dataStart = body;
                    bool sizeIsPlaceholder = size == 0 && available > 0 && !LooksLikeChunkHeader(bytes[body..]);
                    dataLength = size > available || sizeIsPlaceholder ? available : (int)size;
                    if (dataLength == available) break;
                }
            }
            else if (size > available)
            {
                overrun = $"chunk '{FourCC(header[..4])}' at byte {position} declares {size} bytes but only {available} remain";
                break;
            }
            else if (header.StartsWith("fmt "u8) && format is null)
            {
                format = WavFormat.Parse(bytes.Slice(body, (int)size), sourceName);
            }
            position = NextChunkPosition(bytes, body, size);
        }

        string truncation = overrun == null ? "" : $" (truncated: {overrun})";
        if (format is null)
            throw new WavFormatException(sourceName,
                dataStart < 0 ? $"no fmt chunk{truncation}" : $"no fmt chunk before the end of the audio data{truncation}");
        if (dataStart < 0) throw new WavFormatException(sourceName, $"no data chunk{truncation}");
        return format.Value;
    }

    private static long NextChunkPosition(ReadOnlySpan<byte> bytes, int body, uint size)
    {
        long unpadded = body + (long)size;
        if ((size & 1) == 0) return unpadded;
        // Some writers omit the pad byte after an odd-sized chunk; follow them only when the evidence says so.
        long padded = unpadded + 1;
        bool paddedIsChunk = padded < bytes.Length && LooksLikeChunkHeader(bytes[(int)padded..]);
        bool unpaddedIsChunk = unpadded < bytes.Length && LooksLikeChunkHeader(bytes[(int)unpadded..]);
        return !paddedIsChunk && unpaddedIsChunk ? unpadded : padded;
    }

    /// <summary>A printable four-character id followed by a size that fits in what remains.</summary>
    private static bool LooksLikeChunkHeader(ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 8) return false;
        foreach (byte b in rest[..4])
            if (b is < 0x20 or > 0x7E) return false;
        return BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]) <= (uint)(rest.Length - 8);
    }

    private static string FourCC(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++) chars[i] = id[i] is >= 0x20 and <= 0x7E ? (char)id[i] : '?';
        return new string(chars);
    }
}
