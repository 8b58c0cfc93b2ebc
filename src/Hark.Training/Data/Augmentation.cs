using Hark.Audio;

namespace Hark.Training.Data;

/// <summary>
/// Training-time augmentation. Waveform changes (speed, shift, gain, background noise) are applied to a fraction
/// <see cref="WaveformProbability"/> of training clips each epoch and need the front end to run again; the rest
/// reuse their cached clean features. SpecAugment masks apply to every training clip's features.
/// Validation and test clips are never augmented.
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Fraction of training clips per epoch whose waveform is perturbed.</summary>
    public double WaveformProbability { get; init; } = 0.8;

    /// <summary>Largest time shift either way, in seconds (silence fills the gap).</summary>
    public double MaxShiftSeconds { get; init; } = 0.1;

    /// <summary>Speed/pitch change by resampling: factor uniform in [1 - r, 1 + r].</summary>
    public double SpeedRange { get; init; } = 0.1;

    /// <summary>Gain uniform in [-g, +g] dB.</summary>
    public double GainDbRange { get; init; } = 6;

    /// <summary>Chance that background noise is mixed in, when noise recordings are available.</summary>
    public double NoiseProbability { get; init; } = 0.8;

    public double MinSnrDb { get; init; } = 0;
    public double MaxSnrDb { get; init; } = 20;

    /// <summary>
    /// Chance that a perturbed clip goes through a random microphone/channel: a high-pass (cut-off log-uniform in
    /// [<see cref="MinHighPassHz"/>, <see cref="MaxHighPassHz"/>]), a low-pass (log-uniform in
    /// [<see cref="MinLowPassHz"/>, <see cref="MaxLowPassHz"/>]) and one peaking resonance of ±<see cref="MaxEqDb"/> dB
    /// between 300 Hz and 3.5 kHz. Synthetic voices all come out of one clean "channel"; real recordings come
    /// through thousands of different phones and laptops, and this teaches the model to ignore the difference.
    /// </summary>
    public double ChannelProbability { get; init; } = 0.5;
    public double MinHighPassHz { get; init; } = 30;
    public double MaxHighPassHz { get; init; } = 400;
    public double MinLowPassHz { get; init; } = 2500;
    public double MaxLowPassHz { get; init; } = 7500;
    public double MaxEqDb { get; init; } = 8;

    /// <summary>Chance that a perturbed clip is overdriven by up to <see cref="MaxClipDriveDb"/> dB and hard-clipped, as a too-loud recording is.</summary>
    public double ClipProbability { get; init; } = 0.1;
    public double MaxClipDriveDb { get; init; } = 12;

    /// <summary>SpecAugment: number of time masks and the widest in frames.</summary>
    public int TimeMasks { get; init; } = 1;
    public int MaxTimeMaskFrames { get; init; } = 8;

    /// <summary>SpecAugment: number of feature (frequency) masks and the widest in features.</summary>
    public int FeatureMasks { get; init; } = 1;
    public int MaxFeatureMaskWidth { get; init; } = 2;

    public static AugmentationOptions None { get; } = new()
    {
        WaveformProbability = 0, MaxShiftSeconds = 0, SpeedRange = 0, GainDbRange = 0, NoiseProbability = 0,
        ChannelProbability = 0, ClipProbability = 0, TimeMasks = 0, FeatureMasks = 0,
    };

    /// <summary>Every invalid setting, so one error can list them all.</summary>
    public IEnumerable<string> Errors()
    {
        if (WaveformProbability is < 0 or > 1) yield return "waveform probability must be in [0, 1]";
        if (NoiseProbability is < 0 or > 1) yield return "noise probability must be in [0, 1]";
        if (MaxShiftSeconds is < 0 or > 0.5) yield return "max shift must be in [0, 0.5] s";
        if (SpeedRange is < 0 or >= 0.5) yield return "speed range must be in [0, 0.5)";
        if (GainDbRange is < 0 or > 40) yield return "gain range must be in [0, 40] dB";
        if (MinSnrDb > MaxSnrDb) yield return "min SNR must not exceed max SNR";
        if (ChannelProbability is < 0 or > 1) yield return "channel probability must be in [0, 1]";
        if (ClipProbability is < 0 or > 1) yield return "clip probability must be in [0, 1]";
        if (!(MinHighPassHz > 0 && MinHighPassHz <= MaxHighPassHz)) yield return "high-pass range must be min,max with 0 < min <= max";
        if (!(MinLowPassHz > MaxHighPassHz && MinLowPassHz <= MaxLowPassHz)) yield return "low-pass range must lie above the high-pass range, min <= max";
        if (MaxEqDb is < 0 or > 24) yield return "channel resonance must be in [0, 24] dB";
        if (MaxClipDriveDb is < 0 or > 40) yield return "clip drive must be in [0, 40] dB";
        if (TimeMasks < 0 || MaxTimeMaskFrames < 0 || FeatureMasks < 0 || MaxFeatureMaskWidth < 0)
            yield return "mask counts and widths must not be negative";
    }
}

/// <summary>
/// Applies <see cref="AugmentationOptions"/> to one clip. Every random value is drawn from the caller's stream in
/// a fixed order whether or not it is used, so a clip's result depends only on its own stream.
/// Thread-safe: holds only read-only noise recordings.
/// </summary>
public sealed class Augmenter(AugmentationOptions options, IReadOnlyList<float[]> noise, int sampleRate)
{
    private const int SpeedGridHz = 100;

    public AugmentationOptions Options { get; } = options;

    /// <summary>Writes the perturbed <paramref name="clean"/> into <paramref name="output"/> (the clip length).</summary>
    public void PerturbWaveform(ReadOnlySpan<float> clean, Span<float> output, DeterministicRandom random)
    {
        double speed = 1 + random.NextDouble(-Options.SpeedRange, Options.SpeedRange);
        int maxShift = (int)(Options.MaxShiftSeconds * sampleRate);
        int shift = random.NextInt(-maxShift, maxShift + 1);
        float gain = (float)Math.Pow(10, random.NextDouble(-Options.GainDbRange, Options.GainDbRange) / 20);
        bool addNoise = random.NextDouble() < Options.NoiseProbability && noise.Count > 0;
        int noiseIndex = noise.Count > 0 ? random.NextInt(0, noise.Count) : 0;
        double noiseStart = random.NextDouble();
        double snrDb = random.NextDouble(Options.MinSnrDb, Options.MaxSnrDb);
        double silenceLevel = random.NextDouble();
        bool channel = random.NextDouble() < Options.ChannelProbability;
        double highPass = LogUniform(random, Options.MinHighPassHz, Options.MaxHighPassHz);
        double lowPass = LogUniform(random, Options.MinLowPassHz, Options.MaxLowPassHz);
        double eqHz = LogUniform(random, 300, 3500);
        double eqDb = random.NextDouble(-Options.MaxEqDb, Options.MaxEqDb);
        double eqQ = random.NextDouble(0.7, 2.5);
        bool clip = random.NextDouble() < Options.ClipProbability;
        double driveDb = random.NextDouble(0, Options.MaxClipDriveDb);

        // Playing the clip at speed x is resampling it from rate*x to rate: shorter and higher, or longer and lower.
        // Rates snap to a grid so a few dozen cached filters serve every clip; a filter per random rate cost
        // more than the training step itself.
        int fromRate = (int)Math.Round(sampleRate * speed / SpeedGridHz) * SpeedGridHz;
        float[]? resampled = fromRate == sampleRate ? null : Resampler.Resample(clean, fromRate, sampleRate);
        ReadOnlySpan<float> source = resampled ?? clean;

        int start = (source.Length - output.Length) / 2 - shift;
        double signalPower = 0;
        for (int i = 0; i < output.Length; i++)
        {
            int j = start + i;
            float v = (uint)j < (uint)source.Length ? source[j] * gain : 0f;
            output[i] = v;
            signalPower += v * v;
        }
        if (addNoise) MixNoise(output, signalPower, noiseIndex, noiseStart, snrDb, silenceLevel);
        if (channel) ApplyChannel(output, highPass, lowPass, eqHz, eqDb, eqQ);
        if (clip) Overdrive(output, driveDb);
    }

    private void MixNoise(Span<float> output, double signalPower, int noiseIndex, double noiseStart, double snrDb, double silenceLevel)
    {
        var recording = noise[noiseIndex];
        int offset = (int)(noiseStart * Math.Max(0, recording.Length - output.Length));
        double noisePower = 0;
        int available = Math.Min(output.Length, recording.Length - offset);
        for (int i = 0; i < available; i++) noisePower += recording[offset + i] * (double)recording[offset + i];
        if (noisePower <= 0) return;

        signalPower /= output.Length;
        noisePower /= output.Length;
        // A silent clip has no SNR to keep; give it noise at a random level up to -20 dBFS instead.
        double targetNoisePower = signalPower > 1e-8
            ? signalPower / Math.Pow(10, snrDb / 10)
            : Math.Pow(10, (-60 + 40 * silenceLevel) / 10);
        float scale = (float)Math.Sqrt(targetNoisePower / noisePower);
        for (int i = 0; i < available; i++) output[i] = Math.Clamp(output[i] + scale * recording[offset + i], -1f, 1f);
    }

    private void ApplyChannel(Span<float> samples, double highPassHz, double lowPassHz, double eqHz, double eqDb, double eqQ)
    {
        Biquad.HighPass(highPassHz, sampleRate).Process(samples);
        if (lowPassHz < 0.45 * sampleRate) Biquad.LowPass(lowPassHz, sampleRate).Process(samples);
        Biquad.Peaking(eqHz, eqDb, eqQ, sampleRate).Process(samples);
        for (int i = 0; i < samples.Length; i++) samples[i] = Math.Clamp(samples[i], -1f, 1f);
    }

    /// <summary>Raises the clip so its peak is <paramref name="driveDb"/> over full scale, clips it, and scales it back.</summary>
    private static void Overdrive(Span<float> samples, double driveDb)
    {
        float peak = 0;
        foreach (float v in samples) peak = Math.Max(peak, Math.Abs(v));
        if (peak <= 1e-6f) return;
        float gain = (float)(Math.Pow(10, driveDb / 20) / peak);
        for (int i = 0; i < samples.Length; i++) samples[i] = Math.Clamp(samples[i] * gain, -1f, 1f) * peak;
    }

    private static double LogUniform(DeterministicRandom random, double min, double max) =>
        Math.Exp(random.NextDouble(Math.Log(min), Math.Log(Math.Max(min, max))));

    /// <summary>SpecAugment masks on row-major <c>[frames, featuresPerFrame]</c>, filled with the clip's mean.</summary>
    public void MaskFeatures(Span<float> features, int featuresPerFrame, DeterministicRandom random)
    {
        int frames = features.Length / featuresPerFrame;
        float mean = 0;
        foreach (float v in features) mean += v;
        mean /= features.Length;
        for (int m = 0; m < Options.TimeMasks; m++)
        {
            int width = random.NextInt(0, Math.Min(Options.MaxTimeMaskFrames, frames) + 1);
            int first = random.NextInt(0, frames - width + 1);
            features.Slice(first * featuresPerFrame, width * featuresPerFrame).Fill(mean);
        }
        for (int m = 0; m < Options.FeatureMasks; m++)
        {
            int width = random.NextInt(0, Math.Min(Options.MaxFeatureMaskWidth, featuresPerFrame) + 1);
            int first = random.NextInt(0, featuresPerFrame - width + 1);
            for (int f = 0; f < frames; f++) features.Slice(f * featuresPerFrame + first, width).Fill(mean);
        }
    }
}

/// <summary>A second-order IIR section (RBJ audio-EQ cookbook), run in direct form I with double state.</summary>
internal readonly record struct Biquad(double B0, double B1, double B2, double A1, double A2)
{
    public static Biquad LowPass(double hz, int rate, double q = 0.7071067811865476)
    {
        var (cos, alpha) = Angles(hz, rate, q);
        return Normalized((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(double hz, int rate, double q = 0.7071067811865476)
    {
        var (cos, alpha) = Angles(hz, rate, q);
        return Normalized((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad Peaking(double hz, double gainDb, double q, int rate)
    {
        var (cos, alpha) = Angles(hz, rate, q);
        double a = Math.Pow(10, gainDb / 40);
        return Normalized(1 + alpha * a, -2 * cos, 1 - alpha * a, 1 + alpha / a, -2 * cos, 1 - alpha / a);
    }

    public void Process(Span<float> samples)
    {
        double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            double x = samples[i];
            double y = B0 * x + B1 * x1 + B2 * x2 - A1 * y1 - A2 * y2;
            x2 = x1; x1 = x; y2 = y1; y1 = y;
            samples[i] = (float)y;
        }
    }

    /// <summary>Magnitude response at <paramref name="hz"/>, for tests.</summary>
    public double Gain(double hz, int rate)
    {
        var z = System.Numerics.Complex.FromPolarCoordinates(1, -2 * Math.PI * hz / rate);
        var numerator = B0 + B1 * z + B2 * z * z;
        var denominator = 1 + A1 * z + A2 * z * z;
        return (numerator / denominator).Magnitude;
    }

    private static (double Cos, double Alpha) Angles(double hz, int rate, double q)
    {
        double w = 2 * Math.PI * hz / rate;
        return (Math.Cos(w), Math.Sin(w) / (2 * q));
    }

    private static Biquad Normalized(double b0, double b1, double b2, double a0, double a1, double a2) =>
        new(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0);
}
