using Hark.Audio;
using Xunit.Abstractions;

namespace Hark.Tests.Audio;

/// <summary>
/// Measures the filter against its design (see <see cref="PolyphaseResampler"/>): 80 dB stopband from the lower
/// Nyquist, passband ripple of the same 1e-4 relative size up to 0.45 of the lower rate.
/// </summary>
public class ResamplerTests(ITestOutputHelper output)
{
    // Each end of a one-second signal holds the filter's start-up transient (at most a few hundred output
    // samples); the measurements use the middle.
    private const double EdgeSeconds = 0.1;

    [Theory]
    [InlineData(44100, 16000, 44100, 16000)]
    [InlineData(48000, 16000, 48000, 16000)]
    [InlineData(22050, 16000, 1000, 726)]   // 1000 * 320 / 441 = 725.6: rounded up so the output spans the input
    [InlineData(8000, 16000, 8000, 16000)]
    [InlineData(8000, 16000, 1, 2)]
    [InlineData(16000, 44100, 3, 9)]        // 8.27 -> 9
    [InlineData(44101, 16000, 44101, 16000)]
    [InlineData(44100, 16000, 0, 0)]
    public void Output_length_spans_the_input_duration(int from, int to, int inputLength, int expected)
    {
        Assert.Equal(expected, Resampler.Resample(new float[inputLength], from, to).Length);
    }

    [Fact]
    public void Same_rate_is_the_identity()
    {
        var input = Tone(1234, 16000, 1000, 0.7f);

        Assert.Equal(input, Resampler.Resample(input, 16000, 16000));
    }

    [Theory]
    [InlineData(44100, 16000, 1000)]
    [InlineData(44100, 16000, 7000)]
    [InlineData(48000, 16000, 7100)]  // just inside the 7.2 kHz passband edge
    [InlineData(22050, 16000, 5000)]
    [InlineData(8000, 16000, 3000)]   // upsampling: the image at 5 kHz must be gone too
    [InlineData(11025, 16000, 4000)]
    [InlineData(16000, 48000, 6000)]
    [InlineData(44101, 16000, 3000)]  // a ratio with 16000 phases: the interpolated-phase path
    public void Passband_tone_comes_out_as_the_same_tone_without_delay(int from, int to, double frequency)
    {
        const float amplitude = 0.8f;
        var resampled = Resampler.Resample(Tone(frequency, from, from, amplitude), from, to);

        var ideal = Tone(frequency, to, resampled.Length, amplitude);
        var middle = Middle(resampled, to);
        var error = Middle(resampled.Select((v, i) => v - ideal[i]).ToArray(), to);
        // The design ripple is 1e-4 of the amplitude (-80 dB); the error, which also holds any image or alias and
        // any timing error, must stay near that: 75 dB below the tone leaves room only for float rounding.
        double signalToError = 10 * Math.Log10(Energy(middle) / Energy(error));
        output.WriteLine($"{from} -> {to} Hz, {frequency} Hz tone: signal to error {signalToError:F1} dB");
        Assert.True(signalToError >= 75, $"tone to error ratio {signalToError:F1} dB");
    }

    [Theory]
    [InlineData(48000, 10000)] // would alias to 6 kHz
    [InlineData(48000, 8050)]  // just past the stopband edge at the 8 kHz Nyquist
    [InlineData(44100, 9000)]
    [InlineData(44100, 15000)]
    [InlineData(44100, 21000)]
    [InlineData(22050, 10000)]
    [InlineData(44101, 12000)]
    public void Tone_above_the_new_nyquist_is_attenuated_by_at_least_75_dB(int from, double frequency)
    {
        var input = Tone(frequency, from, from, 0.8f);

        var resampled = Resampler.Resample(input, from, 16000);

        // Energy per sample, so the different lengths compare. Design: 80 dB; Kaiser's length formula is accurate
        // to about a dB, so 75 dB is a fair floor that still fails for any filter without real anti-aliasing.
        double attenuation = 10 * Math.Log10(Energy(Middle(input, from)) / Energy(Middle(resampled, 16000)));
        output.WriteLine($"{from} -> 16000 Hz, {frequency} Hz tone: attenuation {attenuation:F1} dB");
        Assert.True(attenuation >= 75, $"attenuation {attenuation:F1} dB");
    }

    [Theory]
    [InlineData(44100, 16000)]
    [InlineData(8000, 16000)]
    [InlineData(44101, 16000)]
    public void Constant_signal_keeps_its_level(int from, int to)
    {
        var resampled = Resampler.Resample(Enumerable.Repeat(0.5f, from).ToArray(), from, to);

        foreach (float sample in Middle(resampled, to)) Assert.Equal(0.5f, sample, 1e-5f);
    }

    [Fact]
    public void Filters_are_built_once_per_rate_pair()
    {
        Assert.Same(Resampler.For(44100, 16000), Resampler.For(44100, 16000));
    }

    [Fact]
    public void Output_span_of_the_wrong_length_is_rejected()
    {
        var resampler = Resampler.For(48000, 16000);

        Assert.Throws<ArgumentException>(() => resampler.Resample(new float[48], new float[15]));
    }

    internal static float[] Tone(double frequency, int rate, int length, float amplitude) =>
        Enumerable.Range(0, length).Select(i => amplitude * (float)Math.Sin(2 * Math.PI * frequency * i / rate)).ToArray();

    private static float[] Middle(float[] samples, int rate)
    {
        int edge = (int)(EdgeSeconds * rate);
        return samples[edge..^edge];
    }

    private static double Energy(float[] samples) => samples.Sum(s => (double)s * s) / samples.Length;
}
