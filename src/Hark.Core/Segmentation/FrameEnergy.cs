namespace Hark.Segmentation;

/// <summary>Short-time energy in dB, the measure both silence trimming and utterance detection work from.</summary>
public static class FrameEnergy
{
    /// <summary>Floor for silent frames, so digital silence gives a finite number (-120 dBFS).</summary>
    public const float SilenceDb = -120f;

    /// <summary>Mean-square level of each non-overlapping frame of <paramref name="frameLength"/> samples, in dBFS.</summary>
    public static float[] Decibels(ReadOnlySpan<float> samples, int frameLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameLength);
        var levels = new float[(samples.Length + frameLength - 1) / frameLength];
        for (int f = 0; f < levels.Length; f++)
        {
            var frame = samples.Slice(f * frameLength, Math.Min(frameLength, samples.Length - f * frameLength));
            double energy = 0;
            foreach (float x in frame) energy += (double)x * x;
            // Mean square of a full-scale sine is 0.5; "+3" makes that 0 dBFS.
            levels[f] = energy <= 0 ? SilenceDb : Math.Max(SilenceDb, (float)(10 * Math.Log10(energy / frame.Length) + 3.0103));
        }
        return levels;
    }
}
