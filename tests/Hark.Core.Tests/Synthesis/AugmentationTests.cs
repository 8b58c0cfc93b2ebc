using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class AugmentationTests
{
    [Theory]
    [InlineData(0.7)]
    [InlineData(1.3)]
    public void Stretch_changes_duration_but_keeps_pitch(double factor)
    {
        const int rate = 16000;
        var tone = new float[rate];
        for (int i = 0; i < tone.Length; i++) tone[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 220 * i / rate));
        var stretched = TimeStretch.Stretch(tone, factor, rate);
        Assert.Equal((int)Math.Round(rate * factor), stretched.Length);
        double inTone = Spectrum.BandDensityDb(stretched.AsSpan(800, stretched.Length - 1600), rate, 200, 240);
        double beside = Spectrum.BandDensityDb(stretched.AsSpan(800, stretched.Length - 1600), rate, 300, 600);
        Assert.True(inTone > beside + 30, $"220 Hz band {inTone:0.0} dB vs 300-600 Hz {beside:0.0} dB");
        Assert.Equal(0.5 / Math.Sqrt(2), NoiseGeneratorTests.Rms(stretched.AsSpan(800, stretched.Length - 1600)), 1);
    }

    [Fact]
    public void Reverb_adds_a_decaying_tail_after_an_impulse()
    {
        var signal = new float[16000];
        signal[100] = 1f;
        Reverb.Apply(signal, 16000, rt60Seconds: 0.4, wetMix: 0.3);
        double early = NoiseGeneratorTests.Rms(signal.AsSpan(800, 1600));
        double late = NoiseGeneratorTests.Rms(signal.AsSpan(5600, 1600));
        Assert.True(early > 0 && late > 0 && late < early * 0.5, $"early {early} late {late}");
    }
}
