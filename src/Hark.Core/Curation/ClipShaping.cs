namespace Hark.Curation;

/// <summary>Sample-level helpers for making every curated clip exactly one window long.</summary>
internal static class ClipShaping
{
    /// <summary>
    /// Centres a short clip in <paramref name="window"/> (silence around it; noise is mixed over the whole window
    /// later) or, for a long one, keeps the window-long stretch with the most energy, where the word is.
    /// </summary>
    public static void FitInto(ReadOnlySpan<float> source, Span<float> window)
    {
        if (source.Length <= window.Length)
        {
            window.Clear();
            source.CopyTo(window[((window.Length - source.Length) / 2)..]);
            return;
        }

        double energy = SumOfSquares(source[..window.Length]);
        double best = energy;
        int bestStart = 0;
        for (int start = 1; start + window.Length <= source.Length; start++)
        {
            float leaving = source[start - 1], entering = source[start + window.Length - 1];
            energy += (double)entering * entering - (double)leaving * leaving;
            if (energy > best) { best = energy; bestStart = start; }
        }
        source.Slice(bestStart, window.Length).CopyTo(window);
    }

    /// <summary>Moves the content by <paramref name="shift"/> samples (positive = later), filling with silence.</summary>
    public static void Shift(Span<float> window, int shift)
    {
        if (shift == 0) return;
        int n = Math.Min(Math.Abs(shift), window.Length);
        if (shift > 0)
        {
            window[..^n].CopyTo(window[n..]);
            window[..n].Clear();
        }
        else
        {
            window[n..].CopyTo(window);
            window[^n..].Clear();
        }
    }

    public static double Rms(ReadOnlySpan<float> samples) =>
        samples.IsEmpty ? 0 : Math.Sqrt(SumOfSquares(samples) / samples.Length);

    public static float Peak(ReadOnlySpan<float> samples)
    {
        float peak = 0;
        foreach (float s in samples) peak = Math.Max(peak, Math.Abs(s));
        return peak;
    }

    public static void Scale(Span<float> samples, float gain)
    {
        for (int i = 0; i < samples.Length; i++) samples[i] *= gain;
    }

    /// <summary>target += gain * addend.</summary>
    public static void AddScaled(Span<float> target, ReadOnlySpan<float> addend, float gain)
    {
        for (int i = 0; i < target.Length; i++) target[i] += gain * addend[i];
    }

    private static double SumOfSquares(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (float s in samples) sum += (double)s * s;
        return sum;
    }
}
