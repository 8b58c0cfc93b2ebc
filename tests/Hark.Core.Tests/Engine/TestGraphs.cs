using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Features;
using Hark.Quantization;

namespace Hark.Tests.Engine;

/// <summary>
/// A small DS-CNN-shaped float graph with random weights over the default front end's 49 x 10 features:
/// 'same'-padded strided conv, depthwise, pointwise, a residual add, global average pool, FC, softmax.
/// </summary>
internal static class TestGraphs
{
    public const int Classes = 3;
    public static readonly FrontEndConfig FrontEnd = FrontEndConfig.Default;
    public static readonly string[] Labels = ["a", "b", "c"];

    public static FloatGraph Small(int seed)
    {
        var random = DeterministicRandom.For(seed, "test-graph");
        FloatParams Weights(Dims kernel, int outC, double spread) => new(
            Enumerable.Range(0, kernel.FlatSize).Select(_ => (float)(random.NextGaussian() * spread)).ToArray(),
            Enumerable.Range(0, outC).Select(_ => (float)(random.NextGaussian() * 0.1)).ToArray());

        const int c = 8;
        GraphTensor[] tensors =
        [
            new("features", new Dims(1, 49, 10, 1)),
            new("conv", new Dims(1, 25, 5, c)),
            new("dw", new Dims(1, 25, 5, c)),
            new("pw", new Dims(1, 25, 5, c)),
            new("add", new Dims(1, 25, 5, c)),
            new("pool", new Dims(1, 1, 1, c)),
            new("fc", new Dims(1, 1, 1, Classes)),
            new("probabilities", new Dims(1, 1, 1, Classes)),
        ];
        GraphOp<FloatParams>[] ops =
        [
            new(new OpSpec(OpKind.Conv2D, [0], 1, new Dims(c, 10, 4, 1), 2, 2, new Padding(4, 5, 1, 1), FusedActivation.Relu),
                Weights(new Dims(c, 10, 4, 1), c, 0.005)),
            new(new OpSpec(OpKind.DepthwiseConv2D, [1], 2, new Dims(1, 3, 3, c), 1, 1, new Padding(1, 1, 1, 1), FusedActivation.Relu6),
                Weights(new Dims(1, 3, 3, c), c, 0.3)),
            new(new OpSpec(OpKind.Conv2D, [2], 3, new Dims(c, 1, 1, c), Activation: FusedActivation.Relu), Weights(new Dims(c, 1, 1, c), c, 0.4)),
            new(new OpSpec(OpKind.Add, [1, 3], 4), null),
            new(new OpSpec(OpKind.AveragePool2D, [4], 5, new Dims(1, 25, 5, 1)), null),
            new(new OpSpec(OpKind.FullyConnected, [5], 6, new Dims(Classes, 1, 1, c)), ZeroSumRows(Weights(new Dims(Classes, 1, 1, c), Classes, 3.0), c)),
            new(new OpSpec(OpKind.Softmax, [6], 7), null),
        ];
        return new FloatGraph(tensors, ops, 0, 7);
    }

    /// <summary>
    /// FC rows that sum to zero respond to how the pooled channels differ, not to their common level (all positive
    /// after ReLU), so different clips win different classes.
    /// </summary>
    private static FloatParams ZeroSumRows(FloatParams p, int depth)
    {
        var w = (float[])p.Weights.Clone();
        for (int row = 0; row < w.Length; row += depth)
        {
            float mean = w.AsSpan(row, depth).ToArray().Average();
            for (int i = row; i < row + depth; i++) w[i] -= mean;
        }
        return p with { Weights = w };
    }

    /// <summary>MFCC-like inputs: a large first coefficient, smaller later ones.</summary>
    public static List<float[]> Inputs(int count, int seed)
    {
        var random = DeterministicRandom.For(seed, "test-inputs");
        return Enumerable.Range(0, count).Select(_ =>
        {
            var x = new float[490];
            // Each clip has its own spectral shape, so clips reach different classes.
            double loudness = random.NextDouble(-1, 1);
            var shape = Enumerable.Range(0, 10).Select(_ => 15 * random.NextGaussian()).ToArray();
            for (int i = 0; i < x.Length; i++)
                x[i] = (float)(i % 10 == 0 ? -150 + 60 * loudness + 10 * random.NextGaussian() : shape[i % 10] + 4 * random.NextGaussian());
            return x;
        }).ToList();
    }

    public static QuantizedGraph Quantized(int seed)
    {
        var graph = Small(seed);
        return Quantizer.Quantize(graph, Quantizer.Calibrate(graph, Inputs(64, seed)));
    }

    public static ModelPackage Package(int seed) => new(Quantized(seed), FrontEnd, Labels,
        new PackageMetadata("test", "0.0", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "abc", 0.9, 0.89, 64));
}
