namespace Hark.Features;

// CONTRACT STUB: the real front end (MFCC/log-mel, presets, streaming) replaces this file. Until then it
// computes nothing useful and must not ship.
public sealed class FrontEnd
{
    public FrontEndConfig Config { get; }

    public FrontEnd(FrontEndConfig config) => Config = config;

    /// <summary>Frames produced for a clip of <see cref="FrontEndConfig.ClipSamples"/> samples (49 by default).</summary>
    public int FramesPerClip => 1 + (Config.ClipSamples - Config.WindowSamples) / Config.StrideSamples;

    /// <summary>Features per frame (10 MFCC by default).</summary>
    public int FeaturesPerFrame => Config.Coefficients;

    /// <summary>
    /// Features of one clip, row-major [frame, feature]. <paramref name="audio"/> is 16 kHz mono in [-1, 1];
    /// shorter input is zero-padded at the end, longer input is cut to <see cref="FrontEndConfig.ClipSamples"/>.
    /// </summary>
    public void ComputeClip(ReadOnlySpan<float> audio, Span<float> features)
    {
        if (features.Length != FramesPerClip * FeaturesPerFrame) throw new ArgumentException("wrong feature length");
        features.Clear();
        for (int f = 0; f < FramesPerClip; f++)
        {
            int start = f * Config.StrideSamples;
            double energy = 0;
            for (int i = start; i < start + Config.WindowSamples && i < audio.Length; i++) energy += audio[i] * audio[i];
            features[f * FeaturesPerFrame] = (float)Math.Log(energy + 1e-6);
        }
    }
}

public sealed record FrontEndConfig
{
    public int SampleRate { get; init; } = 16000;
    public int ClipSamples { get; init; } = 16000;
    public int WindowSamples { get; init; } = 480;
    public int StrideSamples { get; init; } = 320;
    public int Coefficients { get; init; } = 10;

    public static FrontEndConfig Default { get; } = new();
}
