using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Tests.Engine;

/// <summary>Hand-computed cases for the C# reference kernels (the same ones the C tests check).</summary>
public class Int8KernelsTests
{
    private static readonly int[] One = [1 << 30];
    private static readonly int[] ShiftOne = [1];

    [Fact]
    public void Conv_sums_the_window_plus_offsets_and_bias()
    {
        sbyte[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        sbyte[] filter = [1, 0, 0, 1];
        var output = new sbyte[4];
        var p = new ConvParams(InputOffset: 1, OutputOffset: 0, StrideH: 1, StrideW: 1, PadH: 0, PadW: 0);
        Int8Kernels.ConvS8(p, new PerChannelQuant(One, ShiftOne), new Dims(1, 3, 3, 1), input,
            new Dims(1, 2, 2, 1), filter, [10], new Dims(1, 2, 2, 1), output);
        Assert.Equal([18, 20, 24, 26], output);

        Int8Kernels.ConvS8(p with { ActivationMax = 20 }, new PerChannelQuant(One, ShiftOne), new Dims(1, 3, 3, 1), input,
            new Dims(1, 2, 2, 1), filter, [10], new Dims(1, 2, 2, 1), output);
        Assert.Equal([18, 20, 20, 20], output);
    }

    [Fact]
    public void Conv_padding_contributes_nothing()
    {
        var output = new sbyte[4];
        Int8Kernels.ConvS8(new ConvParams(0, -3, 1, 1, 1, 1), new PerChannelQuant(One, ShiftOne),
            new Dims(1, 2, 2, 1), [1, 1, 1, 1], new Dims(1, 3, 3, 1), [1, 1, 1, 1, 1, 1, 1, 1, 1],
            ReadOnlySpan<int>.Empty, new Dims(1, 2, 2, 1), output);
        Assert.Equal([1, 1, 1, 1], output);
    }

    [Fact]
    public void Depthwise_keeps_channels_apart()
    {
        var output = new sbyte[2];
        Int8Kernels.DepthwiseConvS8(new ConvParams(0, 0, 1, 1, 0, 0), new PerChannelQuant([1 << 30, 1 << 30], [1, 0]),
            new Dims(1, 2, 2, 2), [1, -1, 2, -2, 3, -3, 4, -4], new Dims(1, 2, 2, 2), [1, 1, 1, 1, 1, 1, 1, 1],
            ReadOnlySpan<int>.Empty, new Dims(1, 1, 1, 2), output);
        Assert.Equal([10, -5], output);
    }

    [Fact]
    public void FullyConnected_applies_offsets_bias_and_output_zero_point()
    {
        var output = new sbyte[2];
        Int8Kernels.FullyConnectedS8(new FullyConnectedParams(1, 0, 5), new QuantizedMultiplier(1 << 30, 1),
            new Dims(1, 1, 1, 3), [1, 2, 3], new Dims(2, 1, 1, 3), [1, 1, 1, -1, 0, 2], [0, -100],
            new Dims(1, 1, 1, 2), output);
        Assert.Equal([14, -89], output);
    }

    [Fact]
    public void AvgPool_rounds_ties_away_from_zero_like_TFLM()
    {
        var output = new sbyte[1];
        var p = new PoolParams(1, 2, 1, 1, 0, 0);
        Int8Kernels.AvgPoolS8(p, new Dims(1, 1, 2, 1), [-3, -2], new Dims(1, 1, 1, 1), output);
        Assert.Equal(-3, output[0]);
        Int8Kernels.AvgPoolS8(p, new Dims(1, 1, 2, 1), [3, 2], new Dims(1, 1, 1, 1), output);
        Assert.Equal(3, output[0]);
    }

    [Fact]
    public void Pools_over_a_2x2_window()
    {
        sbyte[] input = [-3, -2, 3, 0, 0, 2];
        var output = new sbyte[2];
        var p = new PoolParams(2, 2, 1, 1, 0, 0);
        Int8Kernels.AvgPoolS8(p, new Dims(1, 2, 3, 1), input, new Dims(1, 1, 2, 1), output);
        Assert.Equal([-1, 1], output);
        Int8Kernels.MaxPoolS8(p, new Dims(1, 2, 3, 1), input, new Dims(1, 1, 2, 1), output);
        Assert.Equal([0, 3], output);
    }

    [Fact]
    public void Add_of_unit_scales_is_the_saturated_sum()
    {
        AddParams p = AddParams.FromScales(1f, 0, 1f, 0, 1f, 0);
        var output = new sbyte[4];
        Int8Kernels.AddS8(p, [3, -7, 100, -100], [4, 2, 100, -100], output);
        Assert.Equal([7, -5, 127, -128], output);
    }

    [Fact]
    public void Softmax_sums_to_about_256_and_is_monotonic()
    {
        sbyte[] input = [-20, 0, 40, 40, 100, -128];
        var output = new sbyte[6];
        Int8Kernels.SoftmaxS8(SoftmaxParams.FromBeta(1f, 1f / 16), new Dims(1, 1, 1, 6), input, output);
        int sum = output.Sum(v => v + 128);
        Assert.InRange(sum, 250, 262);
        Assert.True(output[4] > output[2] && output[2] == output[3] && output[3] >= output[1] && output[1] >= output[0]);
        Assert.Equal(-128, output[5]);
    }

    [Fact]
    public void Softmax_of_equal_inputs_is_uniform()
    {
        sbyte[] input = [5, 5, 5, 5];
        var output = new sbyte[4];
        Int8Kernels.SoftmaxS8(SoftmaxParams.FromBeta(1f, 0.1f), new Dims(1, 1, 1, 4), input, output);
        // 1/4 at scale 1/256 is 64, zero point -128.
        Assert.All(output, v => Assert.Equal(64 - 128, v));
    }

    [Fact]
    public void Softmax_tracks_the_float_softmax()
    {
        sbyte[] input = [-50, -10, 0, 13, 27, 60, 61, -128, 90, 3];
        var output = new sbyte[input.Length];
        const float scale = 0.05f;
        Int8Kernels.SoftmaxS8(SoftmaxParams.FromBeta(1f, scale), new Dims(1, 1, 1, input.Length), input, output);
        double[] e = input.Select(v => Math.Exp(scale * (v - 90))).ToArray();
        double total = e.Sum();
        for (int i = 0; i < input.Length; i++)
            Assert.InRange((output[i] + 128) / 256.0 - e[i] / total, -1.5 / 256, 1.5 / 256);
    }

    [Fact]
    public void Invalid_dims_throw()
    {
        var output = new sbyte[4];
        Assert.Throws<ArgumentException>(() => Int8Kernels.ConvS8(new ConvParams(0, 0, 1, 1, 0, 0),
            new PerChannelQuant(One, ShiftOne), new Dims(1, 0, 3, 1), new sbyte[9], new Dims(1, 2, 2, 1), new sbyte[4],
            ReadOnlySpan<int>.Empty, new Dims(1, 2, 2, 1), output));
        Assert.Throws<ArgumentException>(() => Int8Kernels.ConvS8(new ConvParams(0, 0, 1, 1, 0, 0),
            new PerChannelQuant(One, ShiftOne), new Dims(1, 3, 3, 2), new sbyte[18], new Dims(1, 2, 2, 1), new sbyte[4],
            ReadOnlySpan<int>.Empty, new Dims(1, 2, 2, 1), output));
        Assert.Throws<ArgumentException>(() => Int8Kernels.AvgPoolS8(new PoolParams(2, 2, 1, 1, 0, 0) with { ActivationMin = 5, ActivationMax = 4 },
            new Dims(1, 2, 2, 1), new sbyte[4], new Dims(1, 1, 1, 1), output));
    }
}
