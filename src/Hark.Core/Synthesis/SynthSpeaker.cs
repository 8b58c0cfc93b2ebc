using System.Globalization;

namespace Hark.Synthesis;

/// <summary>
/// One synthetic "speaker": a synthesizer voice plus the bucketed settings that make it sound like a different
/// person (pitch, speaking rate, vocal-tract warp). Everything that defines the voice is in <see cref="Descriptor"/>,
/// and <see cref="Id"/> is a hash of it, so the same voice gets the same id in every dataset and curation's
/// speaker-disjoint split keeps all of its clips on one side.
/// </summary>
/// <param name="Engine"><see cref="VoiceCatalog.Espeak"/> or <see cref="VoiceCatalog.Flite"/>.</param>
/// <param name="Voice">espeak-ng accent (<c>en-gb-scotland</c>) or flite voice (<c>slt</c>).</param>
/// <param name="Variant">espeak-ng variant (<c>f3</c>), or null for flite.</param>
/// <param name="Pitch">espeak-ng <c>-p</c> (0-99), or flite mean F0 in Hz.</param>
/// <param name="Rate">espeak-ng <c>-s</c> words per minute, or flite duration stretch x100.</param>
/// <param name="WarpPercent">Vocal-tract and pitch warp applied after synthesis: 100 is none, 110 is 10 % higher.</param>
public sealed record SynthSpeaker(string Engine, string Voice, string? Variant, int Pitch, int Rate, int WarpPercent)
{
    public string Descriptor => string.Create(CultureInfo.InvariantCulture, $"{VoiceName}:p{Pitch}:r{Rate}:w{WarpPercent}");

    /// <summary>The synthesizer voice alone, e.g. <c>espeak-ng:en-gb-scotland+f3</c> or <c>flite:slt</c>.</summary>
    public string VoiceName => $"{Engine}:{Voice}{(Variant is null ? "" : "+" + Variant)}";

    /// <summary>Eight hex digits like Speech Commands speaker ids; FNV-1a of the descriptor, stable everywhere.</summary>
    public string Id
    {
        get
        {
            uint h = 2166136261;
            foreach (char c in Descriptor) { h ^= c; h *= 16777619; }
            return h.ToString("x8", CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>One clip to make: who says which word, how often they said it before, and the per-take variation.</summary>
/// <param name="Tempo">Per-take speed factor (1.1 is 10 % faster) on top of the speaker's rate.</param>
/// <param name="PeakDbfs">Loudness of the take: its peak level in dBFS.</param>
/// <param name="ReverbSeconds">RT60 of a simulated room, or 0 for a dry take.</param>
/// <param name="ReverbMix">Wet share of the reverberant signal.</param>
public sealed record SynthTake(
    string Word, int Repetition, SynthSpeaker Speaker, double Tempo, double PeakDbfs, double ReverbSeconds, double ReverbMix)
{
    public string FileName => $"{Speaker.Id}_nohash_{Repetition}.wav";
}
