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

    private static T Scalar<T>(Func<T> run)
    {
        Int8Kernels.VectorsEnabled = false;
        try { return run(); }
        finally { Int8Kernels.VectorsEnabled = true; }
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
            from bias in Gen.Int[-50000, 50000].Array[outC]
            from m in Gen.Int[1 << 30, int.MaxValue].Array[outC] from s in Gen.Int[-12, 1].Array[outC]
            select (new ConvParams(inputOffset, outputOffset, sh, sw, ph, pw), input, x, filter, f, bias, m, s, output);
        cases.Sample(c =>
        {
            var (p, input, x, filter, f, bias, m, s, output) = c;
            var vector = new sbyte[output.FlatSize];
            Int8Kernels.ConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, vector);
            var scalar = Scalar(() =>
            {
                var y = new sbyte[output.FlatSize];
                Int8Kernels.ConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, y);
                return y;
            });
            Assert.Equal(scalar, vector);
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
            from bias in Gen.Int[-50000, 50000].Array[c]
            from m in Gen.Int[1 << 30, int.MaxValue].Array[c] from s in Gen.Int[-12, 1].Array[c]
            select (new ConvParams(inputOffset, outputOffset, sh, sw, ph, pw, -100, 120), input, x, filter, f, bias, m, s, output);
        cases.Sample(k =>
        {
            var (p, input, x, filter, f, bias, m, s, output) = k;
            var vector = new sbyte[output.FlatSize];
            Int8Kernels.DepthwiseConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, vector);
            var scalar = Scalar(() =>
            {
                var y = new sbyte[output.FlatSize];
                Int8Kernels.DepthwiseConvS8(p, new PerChannelQuant(m, s), input, x, filter, f, bias, output, y);
                return y;
            });
            Assert.Equal(scalar, vector);
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
