namespace Hark.Audio;

/// <summary>Mono audio as floats in [-1, 1] at a known sample rate.</summary>
public sealed record AudioClip(float[] Samples, int SampleRate)
{
    /// <summary>Every stage after loading works at this rate; the reader resamples to it.</summary>
    public const int PipelineRate = 16000;

    public double DurationSeconds => (double)Samples.Length / SampleRate;
}
