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

    /// <summary>SpecAugment: number of time masks and the widest in frames.</summary>
    public int TimeMasks { get; init; } = 1;
    public int MaxTimeMaskFrames { get; init; } = 8;

    /// <summary>SpecAugment: number of feature (frequency) masks and the widest in features.</summary>
    public int FeatureMasks { get; init; } = 1;
    public int MaxFeatureMaskWidth { get; init; } = 2;

    public static AugmentationOptions None { get; } = new()
    {
        WaveformProbability = 0, MaxShiftSeconds = 0, SpeedRange = 0, GainDbRange = 0, NoiseProbability = 0,
        TimeMasks = 0, FeatureMasks = 0,
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
        if (!addNoise) return;

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
