namespace Hark.Synthesis;

/// <summary>
/// A Schroeder reverberator (four parallel feedback combs into two series all-passes): a cheap, deterministic
/// stand-in for a small room. Comb feedback follows from the RT60, so "0.4 s" means the tail decays 60 dB in 0.4 s.
/// </summary>
public static class Reverb
{
    private static readonly double[] CombDelaysMs = [29.7, 37.1, 41.1, 43.7];
    private static readonly double[] AllPassDelaysMs = [5.0, 1.7];
    private const float AllPassGain = 0.7f;

    /// <summary>Mixes a reverberant copy into <paramref name="signal"/> in place.</summary>
    public static void Apply(Span<float> signal, int sampleRate, double rt60Seconds, double wetMix)
    {
        if (rt60Seconds <= 0 || wetMix <= 0) return;
        var wet = new float[signal.Length];
        foreach (double delayMs in CombDelaysMs)
        {
            int delay = (int)(delayMs * sampleRate / 1000);
            float feedback = (float)Math.Pow(10, -3 * delayMs / 1000 / rt60Seconds);
            var line = new float[delay];
            for (int i = 0, j = 0; i < signal.Length; i++, j = j + 1 == delay ? 0 : j + 1)
            {
                float delayed = line[j];
                line[j] = signal[i] + feedback * delayed;
                wet[i] += delayed * 0.25f;
            }
        }
        foreach (double delayMs in AllPassDelaysMs)
        {
            int delay = (int)(delayMs * sampleRate / 1000);
            var line = new float[delay];
            for (int i = 0, j = 0; i < wet.Length; i++, j = j + 1 == delay ? 0 : j + 1)
            {
                float delayed = line[j];
                float input = wet[i];
                line[j] = input + AllPassGain * delayed;
                wet[i] = delayed - AllPassGain * line[j];
            }
        }
        float dry = (float)(1 - wetMix), mix = (float)wetMix;
        for (int i = 0; i < signal.Length; i++) signal[i] = dry * signal[i] + mix * wet[i];
    }
}
