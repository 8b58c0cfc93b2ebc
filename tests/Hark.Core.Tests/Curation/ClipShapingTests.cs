using Hark.Curation;

namespace Hark.Tests.Curation;

public class ClipShapingTests
{
    [Fact]
    public void A_long_clip_keeps_the_window_with_the_most_energy()
    {
        var source = new float[50];
        for (int i = 30; i < 36; i++) source[i] = 0.5f;
        source[2] = 0.9f; // one loud click outweighed by the longer burst
        var window = new float[10];

        ClipShaping.FitInto(source, window);

        Assert.Equal(6, window.Count(s => s == 0.5f));
        Assert.DoesNotContain(0.9f, window);
    }

    [Fact]
    public void A_short_clip_is_centred_in_silence()
    {
        float[] source = [1, 2, 3, 4];
        var window = new float[10];
        window.AsSpan().Fill(9);

        ClipShaping.FitInto(source, window);

        Assert.Equal([0, 0, 0, 1, 2, 3, 4, 0, 0, 0], window);
    }

    [Theory]
    [InlineData(2, new float[] { 0, 0, 1, 2, 3 })]
    [InlineData(-2, new float[] { 3, 4, 5, 0, 0 })]
    [InlineData(9, new float[] { 0, 0, 0, 0, 0 })]
    public void Shift_moves_content_and_fills_with_silence(int shift, float[] expected)
    {
        float[] window = [1, 2, 3, 4, 5];
        ClipShaping.Shift(window, shift);
        Assert.Equal(expected, window);
    }
}
