using CsCheck;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Tests.Features;

namespace Hark.Tests.Engine;

/// <summary>
/// The AVX2 convolution and depthwise paths of <see cref="Int8Kernels"/> against their scalar loops, on random shapes
/// (patches and channel counts around the vector widths, padding, strides, extreme values and offsets) and on a whole
/// DS-CNN-S. (KernelParityTests compares the same kernels, whichever path runs, with the C library.)
/// </summary>
[Collection(nameof(ScalarPathCollection))]
public class Int8KernelsVectorTests
{
    private static readonly Gen<sbyte> Int8 = Gen.Frequency((1, Gen.Const((sbyte)-128)), (1, Gen.Const((sbyte)127)), (6, Gen.SByte));

    /// <summary>Typical multipliers, and any int (zero, negative, int.MinValue: the saturating case) now and then.</summary>
    private static readonly Gen<int> Multiplier = Gen.Frequency(
        (6, Gen.Int[1 << 30, int.MaxValue]), (1, Gen.Int), (1, Gen.Const(int.MinValue)), (1, Gen.Int[0, 1000]));

    /// <summary>Shifts as quantizers make them, and the whole range TFLite allows (left shifts wrap like C).</summary>
    private static readonly Gen<int> Shift = Gen.Frequency((4, Gen.Int[-12, 1]), (1, Gen.Int[-31, 31]));

    private static readonly Gen<int> Bias = Gen.Frequency((6, Gen.Int[-50000, 50000]), (1, Gen.Int));

    private static T Scalar<T>(Func<T> run)
    {
        Int8Kernels.VectorsEnabled = false;
        try { return run(); }
        finally { Int8Kernels.VectorsEnabled = true; }
    }

    private delegate void Kernel(Span<sbyte> output);

    /// <summary>Runs the kernel on whichever path the machine has and on the scalar loops; the bytes must agree.</summary>
    private static void AssertBothPathsAgree(int outputLength, Kernel kernel)
    {
        var vector = new sbyte[outputLength];
        kernel(vector);
        var scalar = Scalar(() =>
        {
            var y = new sbyte[outputLength];
            kernel(y);
            return y;
        });
        Assert.Equal(scalar, vector);
    }

    private static int Out(int size, int window, int stride, int pad) => (size + 2 * pad - window) / stride + 1;

    [Fact]
    public void Convolution_vector_path_gives_the_scalar_bytes()
    {
        var cases =
            from h in Gen.Int[1, 8] from w in Gen.Int[1, 8] from inC in Gen.Int[1, 40] from outC in Gen.Int[1, 9]
            from kh in Gen.Int[1, Math.Min(h, 4)] from kw in Gen.Int[1, Math.Min(w, 4)]
            from sh in Gen.Int[1, 2] from sw in Gen.Int[1, 2] from ph in Gen.Int[0, kh - 1] from pw in Gen.Int[0, kw - 1]
            from inputOffset in Gen.Int[-127, 128] from outputOffset in Gen.Int[-128, 127]
            let input = new Dims(1, h, w, inC)
            let filter = new Dims(outC, kh, kw, inC)
            let output = new Dims(1, Out(h, kh, sh, ph), Out(w, kw, sw, pw), outC)
            from x in Int8.Array[input.FlatSize] from f in Int8.Array[filter.FlatSize]
            from bias in Bias.Array[outC]
            from m in Multiplier.Array[outC] from s in Shift.Array[outC]
            select (new ConvParams(inputOffset, outputOffset, sh, sw, ph, pw), input, x, filter, f, bias, m, s, output);
        cases.Sample(c =>
        {
            var (p, input, x, filter, f, bias, m, s, output) = c;
            AssertBothPathsAgree(output.FlatSize, y => Int8Kernels.ConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, y));
        }, iter: 300);
    }

    [Fact]
    public void Depthwise_vector_path_gives_the_scalar_bytes()
    {
        var cases =
            from h in Gen.Int[1, 8] from w in Gen.Int[1, 8] from c in Gen.Int[1, 37]
            from kh in Gen.Int[1, Math.Min(h, 3)] from kw in Gen.Int[1, Math.Min(w, 3)]
            from sh in Gen.Int[1, 2] from sw in Gen.Int[1, 2] from ph in Gen.Int[0, kh - 1] from pw in Gen.Int[0, kw - 1]
            from inputOffset in Gen.Int[-127, 128] from outputOffset in Gen.Int[-128, 127]
            let input = new Dims(1, h, w, c)
            let filter = new Dims(1, kh, kw, c)
            let output = new Dims(1, Out(h, kh, sh, ph), Out(w, kw, sw, pw), c)
            from x in Int8.Array[input.FlatSize] from f in Int8.Array[filter.FlatSize]
            from bias in Bias.Array[c]
            from m in Multiplier.Array[c] from s in Shift.Array[c]
            select (new ConvParams(inputOffset, outputOffset, sh, sw, ph, pw, -100, 120), input, x, filter, f, bias, m, s, output);
        cases.Sample(k =>
        {
            var (p, input, x, filter, f, bias, m, s, output) = k;
            AssertBothPathsAgree(output.FlatSize, y => Int8Kernels.DepthwiseConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, y));
        }, iter: 300);
    }

    [Fact]
    public void Whole_DS_CNN_S_gives_the_same_output_on_both_paths()
    {
        using var engine = new Int8Engine(DsCnnGraphs.Quantized(3, 12), Hark.Features.FrontEndConfig.Default,
            Enumerable.Range(0, 12).Select(i => $"l{i}").ToArray());
        foreach (var features in DsCnnGraphs.Inputs(4, 8))
        {
            var input = new sbyte[engine.InputLength];
            engine.QuantizeInput(features, input);
            var vector = engine.RunInt8(input);
            var scalar = Scalar(() => engine.RunInt8(input));
            Assert.Equal(scalar, vector);
            Assert.InRange(vector.Sum(v => v + 128), 256 - 12, 256 + 12);   // a real softmax, not zeros
        }
    }
}
