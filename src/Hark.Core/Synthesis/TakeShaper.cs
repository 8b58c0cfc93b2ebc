using Hark.Audio;
using Hark.Segmentation;

namespace Hark.Synthesis;

/// <summary>
/// Turns a synthesizer's raw output into a dataset clip: trim the silence around the word, warp the voice,
/// apply the take's tempo, fit it into one second, centre it, add the room and set the level.
/// </summary>
public static class TakeShaper
{
    public const int ClipSamples = AudioClip.PipelineRate;

    /// <summary>Longest utterance kept as is: leaves 20 ms of quiet on either side of the clip.</summary>
    public const int MaxSpeechSamples = ClipSamples - 640;

    /// <summary>Frames quieter than this relative to the loudest frame count as leading/trailing silence.</summary>
    private const float TrimDb = -45f;

    public static float[] Shape(AudioClip raw, SynthTake take)
    {
        // Resampling straight to 16 kHz / warp gives one pass for both the rate change and a pitch and formant
        // shift of warp (played back at 16 kHz); the time-stretch below restores the duration it changed.
        // The rate is rounded to 50 Hz so it shares a large common factor with every engine rate (8, 16, 22.05 kHz),
        // which keeps a polyphase resampler's phase table small; the warp actually applied is recomputed from it.
        int warpedRate = (int)Math.Round(AudioClip.PipelineRate * 100.0 / take.Speaker.WarpPercent / 50) * 50;
        double warp = (double)AudioClip.PipelineRate / warpedRate;
        var warped = Resampler.Resample(raw.Samples, raw.SampleRate, warpedRate);
        var speech = Trim(warped, AudioClip.PipelineRate);
        if (speech.Length == 0) throw new HarkException($"the synthesizer returned silence for \"{take.Word}\" ({take.Speaker.Descriptor})");

        double stretch = warp / take.Tempo;
        if (speech.Length * stretch > MaxSpeechSamples) stretch = (double)MaxSpeechSamples / speech.Length;
        var fitted = TimeStretch.Stretch(speech, stretch, AudioClip.PipelineRate);

        var clip = new float[ClipSamples];
        int length = Math.Min(fitted.Length, ClipSamples);
        fitted.AsSpan(0, length).CopyTo(clip.AsSpan((ClipSamples - length) / 2));
        Reverb.Apply(clip, AudioClip.PipelineRate, take.ReverbSeconds, take.ReverbMix);
        SetPeak(clip, take.PeakDbfs);
        return clip;
    }

    /// <summary>The span from the first to the last frame within <see cref="TrimDb"/> of the loudest one.</summary>
    public static ReadOnlySpan<float> Trim(ReadOnlySpan<float> samples, int sampleRate)
    {
        int frame = sampleRate / 100;
        var levels = FrameEnergy.Decibels(samples, frame);
        if (levels.Length == 0) return [];
        float loudest = levels.Max();
        if (loudest <= FrameEnergy.SilenceDb) return [];
        int first = Array.FindIndex(levels, l => l >= loudest + TrimDb);
        int last = Array.FindLastIndex(levels, l => l >= loudest + TrimDb);
        int start = first * frame, end = Math.Min(samples.Length, (last + 1) * frame);
        return samples[start..end];
    }

    private static void SetPeak(Span<float> clip, double peakDbfs)
    {
        float peak = 0;
        foreach (float x in clip) peak = Math.Max(peak, Math.Abs(x));
        if (peak <= 0) return;
        float scale = (float)(Math.Pow(10, peakDbfs / 20) / peak);
        for (int i = 0; i < clip.Length; i++) clip[i] *= scale;
    }
}
