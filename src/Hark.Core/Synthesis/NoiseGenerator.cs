namespace Hark.Synthesis;

/// <summary>
/// Background noises for the <c>_background_noise_</c> folder, generated rather than recorded so a dataset can be
/// built with no downloads. The coloured noises have exact spectral slopes; the textures (hum, fan, rain, babble)
/// imitate what a keyword spotter hears in real rooms. Every generator fills the caller's span and is a pure
/// function of its random stream, and output is scaled by <see cref="Normalize"/>.
/// </summary>
public static class NoiseGenerator
{
    /// <summary>-26 dBFS: loud enough to learn from, with headroom for impulsive peaks.</summary>
    public const float TargetRms = 0.05f;

    /// <summary>Highest peak a generator may produce (-1 dBFS).</summary>
    public const float MaxPeak = 0.89f;

    /// <summary>Flat spectrum.</summary>
    public static void White(Span<float> output, DeterministicRandom random)
    {
        for (int i = 0; i < output.Length; i++) output[i] = (float)random.NextGaussian();
        Normalize(output);
    }

    /// <summary>
    /// -3 dB per octave (power ∝ 1/f), by Paul Kellett's parallel one-pole filter bank: its poles are spaced so
    /// the summed responses follow 1/f within about ±0.5 dB over the speech band.
    /// </summary>
    public static void Pink(Span<float> output, DeterministicRandom random)
    {
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double white = random.NextGaussian();
            b0 = 0.99886 * b0 + white * 0.0555179;
            b1 = 0.99332 * b1 + white * 0.0750759;
            b2 = 0.96900 * b2 + white * 0.1538520;
            b3 = 0.86650 * b3 + white * 0.3104856;
            b4 = 0.55000 * b4 + white * 0.5329522;
            b5 = -0.7616 * b5 - white * 0.0168980;
            output[i] = (float)(b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362);
            b6 = white * 0.115926;
        }
        Normalize(output);
    }

    /// <summary>
    /// -6 dB per octave (power ∝ 1/f²): integrated white noise. The slight leak keeps it from drifting away, and
    /// only flattens the spectrum below a few hertz.
    /// </summary>
    public static void Brown(Span<float> output, DeterministicRandom random)
    {
        double level = 0;
        for (int i = 0; i < output.Length; i++)
        {
            level = 0.999 * level + random.NextGaussian();
            output[i] = (float)level;
        }
        RemoveMean(output);
        Normalize(output);
    }

    /// <summary>
    /// Mains hum: a fundamental at <paramref name="mainsHz"/> with decaying, mostly odd harmonics (transformer
    /// buzz), a slow wander of the mains frequency and a faint pink floor.
    /// </summary>
    public static void Hum(Span<float> output, int sampleRate, double mainsHz, DeterministicRandom random)
    {
        Pink(output, random.Derive("floor"));
        for (int i = 0; i < output.Length; i++) output[i] *= 0.05f;
        var harmonics = new double[12];
        var phases = new double[harmonics.Length];
        for (int h = 0; h < harmonics.Length; h++)
        {
            int order = h + 1;
            harmonics[h] = (order % 2 == 1 ? 1.0 : 0.35) / order * random.NextDouble(0.5, 1.0);
            phases[h] = random.NextDouble(0, 2 * Math.PI);
        }
        double wanderRate = random.NextDouble(0.05, 0.2), phase = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double t = (double)i / sampleRate;
            phase += 2 * Math.PI * mainsHz * (1 + 0.002 * Math.Sin(2 * Math.PI * wanderRate * t)) / sampleRate;
            double sum = 0;
            for (int h = 0; h < harmonics.Length; h++) sum += harmonics[h] * Math.Sin((h + 1) * phase + phases[h]);
            output[i] += (float)(sum * 0.3);
        }
        Normalize(output);
    }

    /// <summary>
    /// Fan or ventilation: low-passed pink noise (the air), a blade-pass tone with harmonics, and a slow
    /// amplitude swell as the airflow changes.
    /// </summary>
    public static void Fan(Span<float> output, int sampleRate, DeterministicRandom random)
    {
        Pink(output, random.Derive("air"));
        double cutoff = random.NextDouble(400, 1200);
        LowPass(output, sampleRate, cutoff);
        LowPass(output, sampleRate, cutoff);
        Normalize(output);
        double blade = random.NextDouble(60, 180), swell = random.NextDouble(0.1, 0.4), swellPhase = random.NextDouble(0, 6.3);
        for (int i = 0; i < output.Length; i++)
        {
            double t = (double)i / sampleRate;
            double tone = TargetRms * (0.5 * Math.Sin(2 * Math.PI * blade * t) + 0.2 * Math.Sin(4 * Math.PI * blade * t));
            double gain = 1 + 0.15 * Math.Sin(2 * Math.PI * swell * t + swellPhase);
            output[i] = (float)((output[i] + tone) * gain);
        }
        Normalize(output);
    }

    /// <summary>
    /// Rain on a window: a steady high-passed hiss plus drops arriving as a Poisson process, each a few
    /// milliseconds of decaying noise with a capped log-normal loudness.
    /// </summary>
    public static void Rain(Span<float> output, int sampleRate, DeterministicRandom random)
    {
        White(output, random.Derive("hiss"));
        HighPass(output, sampleRate, 1500);
        for (int i = 0; i < output.Length; i++) output[i] *= 0.3f;
        var drops = random.Derive("drops");
        double rate = drops.NextDouble(40, 160);
        for (double t = 0; ; )
        {
            t += -Math.Log(1 - drops.NextDouble()) / rate;
            int start = (int)(t * sampleRate);
            if (start >= output.Length) break;
            // Log-normal loudness capped at 4x the median: a few drops stand out, none clips after normalising.
            double amplitude = Math.Min(Math.Exp(drops.NextGaussian() * 0.7), 4) * 0.6;
            double decay = Math.Exp(-1.0 / (drops.NextDouble(0.001, 0.006) * sampleRate));
            double envelope = amplitude, low = 0;
            for (int i = start; i < output.Length && envelope > 1e-3; i++, envelope *= decay)
            {
                double white = drops.NextGaussian();
                low += 0.5 * (white - low);                  // a gentle low-pass: drops thud rather than click
                output[i] += (float)(envelope * low);
            }
        }
        Normalize(output);
    }

    /// <summary>
    /// Babble: <paramref name="talkers"/> overlapping streams of speech, each a random sequence of the given
    /// utterances played backwards. Reversal keeps the spectrum and rhythm of speech while making sure no word,
    /// least of all a keyword, can be understood in the background.
    /// </summary>
    public static void Babble(Span<float> output, IReadOnlyList<float[]> utterances, int talkers, int sampleRate,
        DeterministicRandom random)
    {
        if (utterances.Count == 0) throw new ArgumentException("babble needs at least one utterance", nameof(utterances));
        output.Clear();
        for (int talker = 0; talker < talkers; talker++)
        {
            var stream = random.Derive(talker);
            float gain = (float)stream.NextDouble(0.5, 1.0);
            int position = -stream.NextInt(0, sampleRate);
            while (position < output.Length)
            {
                var utterance = utterances[stream.NextInt(0, utterances.Count)];
                for (int i = 0; i < utterance.Length; i++)
                {
                    int at = position + i;
                    if ((uint)at < (uint)output.Length) output[at] += gain * utterance[utterance.Length - 1 - i];
                }
                position += utterance.Length + stream.NextInt(0, sampleRate / 5);
            }
        }
        Normalize(output);
    }

    /// <summary>
    /// Scales to <see cref="TargetRms"/>, or lower when that would push a peak past <see cref="MaxPeak"/>: impulsive
    /// noise keeps its shape instead of being clipped. All-zero input stays zero.
    /// </summary>
    public static void Normalize(Span<float> signal)
    {
        double energy = 0;
        float peak = 0;
        foreach (float x in signal)
        {
            energy += (double)x * x;
            peak = Math.Max(peak, Math.Abs(x));
        }
        if (energy <= 0) return;
        float scale = (float)Math.Min(TargetRms / Math.Sqrt(energy / signal.Length), MaxPeak / peak);
        for (int i = 0; i < signal.Length; i++) signal[i] *= scale;
    }

    private static void RemoveMean(Span<float> signal)
    {
        double sum = 0;
        foreach (float x in signal) sum += x;
        float mean = (float)(sum / Math.Max(1, signal.Length));
        for (int i = 0; i < signal.Length; i++) signal[i] -= mean;
    }

    private static void LowPass(Span<float> signal, int sampleRate, double cutoffHz)
    {
        float a = (float)(1 - Math.Exp(-2 * Math.PI * cutoffHz / sampleRate));
        float state = 0;
        for (int i = 0; i < signal.Length; i++) signal[i] = state += a * (signal[i] - state);
    }

    private static void HighPass(Span<float> signal, int sampleRate, double cutoffHz)
    {
        float a = (float)Math.Exp(-2 * Math.PI * cutoffHz / sampleRate);
        float previousIn = 0, previousOut = 0;
        for (int i = 0; i < signal.Length; i++)
        {
            float x = signal[i];
            previousOut = a * (previousOut + x - previousIn);
            previousIn = x;
            signal[i] = previousOut;
        }
    }
}
