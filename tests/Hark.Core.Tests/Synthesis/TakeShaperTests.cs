using Hark.Audio;
using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class TakeShaperTests
{
    private static readonly SynthSpeaker Speaker = new(VoiceCatalog.Espeak, "en-us", "m1", 50, 175, 110);

    /// <summary>Silence, then a voiced burst of <paramref name="seconds"/>, then silence, at espeak's 22,050 Hz.</summary>
    private static AudioClip Raw(double seconds)
    {
        const int rate = 22050;
        var samples = new float[(int)((seconds + 0.6) * rate)];
        int start = (int)(0.2 * rate), length = (int)(seconds * rate);
        for (int i = 0; i < length; i++)
            samples[start + i] = (float)(0.5 * Math.Sin(2 * Math.PI * 140 * i / rate) * Math.Sin(Math.PI * i / length));
        return new AudioClip(samples, rate);
    }

    [Theory]
    [InlineData(0.4)]
    [InlineData(1.6)]
    public void Output_is_one_second_with_the_word_centred_inside_it(double seconds)
    {
        var take = new SynthTake("trick or treat", 0, Speaker, Tempo: 1.0, PeakDbfs: -6, ReverbSeconds: 0, ReverbMix: 0);
        var clip = TakeShaper.Shape(Raw(seconds), take);

        Assert.Equal(TakeShaper.ClipSamples, clip.Length);
        Assert.Equal(Math.Pow(10, -6 / 20.0), clip.Max(Math.Abs), 3);
        int first = Array.FindIndex(clip, x => Math.Abs(x) > 0.01f), last = Array.FindLastIndex(clip, x => Math.Abs(x) > 0.01f);
        Assert.True(first > 0 && last < clip.Length - 1, "the word touches the clip's edge");
        Assert.InRange((first + last) / 2.0, 8000 - 400, 8000 + 400);
        // The warp stretches a short word by its factor; a long one is compressed to fit.
        double expected = seconds > 0.9 ? TakeShaper.MaxSpeechSamples : seconds * 16000 * 1.10;
        Assert.InRange(last - first, expected * 0.85, expected * 1.02);
    }

    [Fact]
    public void Silence_from_the_synthesizer_is_an_error_naming_the_voice()
    {
        var take = new SynthTake("yes", 0, Speaker, 1, -6, 0, 0);
        var error = Assert.Throws<HarkException>(() => TakeShaper.Shape(new AudioClip(new float[22050], 22050), take));
        Assert.Contains(Speaker.Descriptor, error.Message);
    }
}
