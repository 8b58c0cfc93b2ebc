using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Tests;

/// <summary>
/// A full-size DS-CNN-S (Hello Edge / MLPerf Tiny: conv 10x4 stride 2 to 64 channels, 4 x (depthwise 3x3 + pointwise
/// 64), global average pool, FC, softmax; 2.66M MACs) with random weights, calibrated on MFCC-like random inputs.
/// Speed and size do not depend on the weights' values, so benchmarks and C-library tests use it without training.
/// Shared by the test projects and bench/.
/// </summary>
public static class DsCnnGraphs
{
    public static FloatGraph Float(int seed, int labels)
    {
        var random = new DeterministicRandom((ulong)seed);
        const int c = 64;
        var tensors = new List<GraphTensor> { new("features", new Dims(1, 49, 10, 1)) };
        var ops = new List<GraphOp<FloatParams>>();
        void Add(OpSpec spec, Dims output, double spread, int outC)
        {
            tensors.Add(new GraphTensor($"t{tensors.Count}", output));
            FloatParams? p = spec.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected
                ? new FloatParams(Enumerable.Range(0, spec.Kernel.FlatSize).Select(_ => (float)(random.NextGaussian() * spread)).ToArray(), new float[outC])
                : null;
            ops.Add(new GraphOp<FloatParams>(spec with { Inputs = [tensors.Count - 2], Output = tensors.Count - 1 }, p));
        }
        var map = new Dims(1, 25, 5, c);
        Add(new OpSpec(OpKind.Conv2D, [], 0, new Dims(c, 10, 4, 1), 2, 2, new Padding(4, 5, 1, 1), FusedActivation.Relu), map, 0.01, c);
        for (int b = 0; b < 4; b++)
        {
            Add(new OpSpec(OpKind.DepthwiseConv2D, [], 0, new Dims(1, 3, 3, c), 1, 1, new Padding(1, 1, 1, 1), FusedActivation.Relu), map, 0.3, c);
            Add(new OpSpec(OpKind.Conv2D, [], 0, new Dims(c, 1, 1, c), Activation: FusedActivation.Relu), map, 0.15, c);
        }
        Add(new OpSpec(OpKind.AveragePool2D, [], 0, new Dims(1, 25, 5, 1)), new Dims(1, 1, 1, c), 0, c);
        Add(new OpSpec(OpKind.FullyConnected, [], 0, new Dims(labels, 1, 1, c)), new Dims(1, 1, 1, labels), 0.3, labels);
        Add(new OpSpec(OpKind.Softmax, [], 0), new Dims(1, 1, 1, labels), 0, labels);
        return new FloatGraph(tensors, ops, 0, tensors.Count - 1);
    }

    /// <summary>MFCC-like random inputs: a large first coefficient, smaller later ones.</summary>
    public static List<float[]> Inputs(int seed, int count)
    {
        var random = new DeterministicRandom((ulong)seed);
        return Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, 490).Select(i => (float)(i % 10 == 0 ? -150 + 30 * random.NextGaussian() : 10 * random.NextGaussian())).ToArray())
            .ToList();
    }

    public static QuantizedGraph Quantized(int seed, int labels)
    {
        var graph = Float(seed, labels);
        return Quantizer.Quantize(graph, Quantizer.Calibrate(graph, Inputs(seed + 1, 20)));
    }
}
