using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class NoiseGeneratorTests
{
    private const int Rate = 16000;

    private delegate void Generator(Span<float> output, DeterministicRandom random);

    private static float[] Make(Generator generate, int seed, double seconds = 8)
    {
        var samples = new float[(int)(seconds * Rate)];
        generate(samples, new DeterministicRandom((ulong)seed));
        return samples;
    }

    [Theory]
    [InlineData("white", 0.0)]
    [InlineData("pink", -3.0)]
    [InlineData("brown", -6.0)]
    public void Coloured_noise_has_its_spectral_slope(string colour, double expectedDbPerOctave)
    {
        var samples = Make(Colour(colour), seed: 7);
        double slope = Spectrum.SlopeDbPerOctave(samples, Rate);
        Assert.InRange(slope, expectedDbPerOctave - 0.6, expectedDbPerOctave + 0.6);
    }

    [Theory]
    [InlineData("white")]
    [InlineData("pink")]
    [InlineData("brown")]
    public void Noise_is_deterministic_by_seed_and_scaled_to_the_target_level(string colour)
    {
        var a = Make(Colour(colour), seed: 3, seconds: 2);
        var b = Make(Colour(colour), seed: 3, seconds: 2);
        var c = Make(Colour(colour), seed: 4, seconds: 2);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(NoiseGenerator.TargetRms, Rms(a), 3);
    }

    [Theory]
    [InlineData(50.0)]
    [InlineData(60.0)]
    public void Hum_concentrates_energy_at_the_mains_frequency(double mains)
    {
        var samples = Make((o, r) => NoiseGenerator.Hum(o, Rate, mains, r), seed: 1, seconds: 4);
        double atMains = Spectrum.BandDensityDb(samples, Rate, mains - 8, mains + 8, segment: 4096);
        double between = Spectrum.BandDensityDb(samples, Rate, mains * 1.35, mains * 1.65, segment: 4096);
        Assert.True(atMains > between + 20, $"mains band {atMains:0.0} dB vs between-harmonics {between:0.0} dB");
    }

    [Fact]
    public void Fan_noise_is_mostly_below_two_kilohertz()
    {
        var samples = Make((o, r) => NoiseGenerator.Fan(o, Rate, r), seed: 2, seconds: 4);
        double low = Spectrum.BandDensityDb(samples, Rate, 100, 400);
        double high = Spectrum.BandDensityDb(samples, Rate, 3000, 6000);
        Assert.True(low > high + 20, $"low {low:0.0} dB vs high {high:0.0} dB");
    }

    [Fact]
    public void Rain_is_impulsive_with_peaks_far_above_its_level()
    {
        var samples = Make((o, r) => NoiseGenerator.Rain(o, Rate, r), seed: 5, seconds: 45);
        float peak = samples.Max(Math.Abs);
        Assert.True(peak / Rms(samples) > 6, $"crest factor {peak / Rms(samples):0.0}");
        Assert.True(peak <= NoiseGenerator.MaxPeak + 1e-6f, $"rain peaks at {peak}");
        Assert.InRange(Rms(samples), NoiseGenerator.TargetRms / 4, NoiseGenerator.TargetRms + 1e-6f);
    }

    [Fact]
    public void Babble_is_reversed_speech_material_mixed_from_several_talkers()
    {
        // A rising chirp and its reversal are nearly orthogonal, so correlation tells which one was laid down.
        var chirp = new float[2000];
        for (int i = 0; i < chirp.Length; i++)
        {
            double t = (double)i / Rate;
            chirp[i] = (float)Math.Sin(2 * Math.PI * (300 * t + 12000 * t * t));
        }
        var reversed = chirp.Reverse().ToArray();
        var one = new float[Rate];
        NoiseGenerator.Babble(one, [chirp], talkers: 1, Rate, new DeterministicRandom(9));
        Assert.True(BestCorrelation(one, reversed) > 0.99);
        Assert.True(BestCorrelation(one, chirp) < 0.3);

        var many = new float[Rate];
        NoiseGenerator.Babble(many, [chirp], talkers: 7, Rate, new DeterministicRandom(9));
        Assert.Equal(NoiseGenerator.TargetRms, Rms(many), 3);
        Assert.NotEqual(one, many);
    }

    /// <summary>Largest normalised cross-correlation of <paramref name="pattern"/> at any offset.</summary>
    private static double BestCorrelation(float[] signal, float[] pattern)
    {
        double patternNorm = Math.Sqrt(pattern.Sum(x => (double)x * x)), best = 0;
        for (int offset = 0; offset + pattern.Length <= signal.Length; offset++)
        {
            double dot = 0, energy = 0;
            for (int i = 0; i < pattern.Length; i++)
            {
                dot += signal[offset + i] * pattern[i];
                energy += signal[offset + i] * signal[offset + i];
            }
            if (energy > 0) best = Math.Max(best, dot / (Math.Sqrt(energy) * patternNorm));
        }
        return best;
    }

    private static Generator Colour(string name) => name switch
    {
        "white" => NoiseGenerator.White,
        "pink" => NoiseGenerator.Pink,
        "brown" => NoiseGenerator.Brown,
        _ => throw new ArgumentException(name),
    };

    internal static float Rms(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float v in x) sum += (double)v * v;
        return (float)Math.Sqrt(sum / x.Length);
    }
}
