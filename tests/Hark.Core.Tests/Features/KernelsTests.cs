using CsCheck;
using Hark.Features;

namespace Hark.Tests.Features;

/// <summary>
/// The vector kernels against their one-line scalar definitions, on lengths that exercise the vector body and
/// the scalar tail, and whole front ends with vectors on and off.
/// </summary>
[Collection(nameof(ScalarPathCollection))]
public class KernelsTests
{
    [Theory]
    [InlineData("mfcc10")]
    [InlineData("logmel40")]
    [InlineData("mfcc13")]
    [InlineData("logmel32-fast")]
    public void VectorAndScalarPaths_GiveIdenticalFeatureBits(string preset)
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Preset(preset));
        float[] clip = TestSignals.ToFloat(TestSignals.ChirpWithNoise());
        float[] vector = frontEnd.ComputeClip(clip);
        float[] scalar;
        Kernels.VectorsEnabled = false;
        try { scalar = frontEnd.ComputeClip(clip); }
        finally { Kernels.VectorsEnabled = true; }
        Assert.Equal(vector.Select(BitConverter.SingleToUInt32Bits), scalar.Select(BitConverter.SingleToUInt32Bits));
    }

    private static readonly float[] Awkward =
    [
        float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f, -1f, 1.00003f, -1.00003f, 0.5f / 32768,
        1.5f / 32768, 2.5f / 32768, -2.5f / 32768, 32767.5f / 32768, -32768.5f / 32768, 1e30f, -1e30f, -0f,
        float.Epsilon,
    ];

    [Fact]
    public void Quantize_VectorEqualsScalarOnAwkwardValues()
    {
        float[] samples = [.. Awkward, .. Awkward, .. Awkward];   // 51 values: three vector blocks and a tail
        var vector = new short[samples.Length];
        FrontEnd.Quantize(samples, vector);
        Assert.Equal(samples.Select(FrontEnd.Quantize), vector);
    }

    [Fact]
    public void Quantize_VectorEqualsScalarOnRandomBlocks() =>
        Gen.Float[-1.5f, 1.5f].Array[0, 100].Sample(samples =>
        {
            var vector = new short[samples.Length];
            FrontEnd.Quantize(samples, vector);
            Assert.Equal(samples.Select(FrontEnd.Quantize), vector);
        }, iter: 200);

    [Fact]
    public void ToFloat_IsExactScaling() =>
        Gen.Short.Array[0, 70].Sample(samples =>
        {
            var floats = new float[samples.Length];
            Kernels.ToFloat(samples, floats, FrontEndTables.InputScale);
            Assert.Equal(samples.Select(s => s / 32768f), floats);
        }, iter: 100);

    [Fact]
    public void TransposedMatrixVector_KeepsEachOutputsSequentialOrder() =>
        Gen.Select(Gen.Int[1, 20], Gen.Int[1, 50]).Sample(shape =>
        {
            var (columns, rows) = shape;
            var random = new DeterministicRandom((ulong)(columns * 100 + rows));
            float[] matrix = Enumerable.Range(0, rows * columns).Select(_ => (float)random.NextDouble(-3, 3)).ToArray();
            float[] v = Enumerable.Range(0, rows).Select(_ => (float)random.NextDouble(-30, 30)).ToArray();
            var output = new float[columns];
            Kernels.TransposedMatrixVector(matrix, v, output);
            for (int k = 0; k < columns; k++)
            {
                float sum = 0f;
                for (int b = 0; b < rows; b++) sum = sum + matrix[b * columns + k] * v[b];
                Assert.Equal(BitConverter.SingleToUInt32Bits(sum), BitConverter.SingleToUInt32Bits(output[k]));
            }
        }, iter: 100);
}

/// <summary>Switching the vector paths off is process-wide, so this collection runs alone.</summary>
[CollectionDefinition(nameof(ScalarPathCollection), DisableParallelization = true)]
public sealed class ScalarPathCollection;
