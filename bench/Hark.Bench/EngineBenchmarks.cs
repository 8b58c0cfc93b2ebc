using BenchmarkDotNet.Attributes;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Features;
using Hark.Quantization;

namespace Hark.Bench;

/// <summary>
/// Time for the C# reference int8 engine to score one clip with a full-size DS-CNN-S (49x10 MFCC in, 12 classes,
/// 2.66M MACs; random weights, calibrated on random MFCC-like inputs: speed does not depend on the values).
/// Target: allocation-free (Allocated column 0 B). The engine is the bit-exact reference, not the fast path:
/// it is expected to take milliseconds, where the generated C library on a Cortex-M4 takes about 7.4M instructions.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private Int8Engine _engine = null!;
    private float[] _features = null!;
    private float[] _probabilities = null!;

    [GlobalSetup]
    public void Setup()
    {
        var graph = DsCnnS(new DeterministicRandom(1));
        var random = new DeterministicRandom(2);
        var inputs = Enumerable.Range(0, 20)
            .Select(_ => Enumerable.Range(0, 490).Select(i => (float)(i % 10 == 0 ? -150 + 30 * random.NextGaussian() : 10 * random.NextGaussian())).ToArray())
            .ToList();
        var quantized = Quantizer.Quantize(graph, Quantizer.Calibrate(graph, inputs));
        _engine = new Int8Engine(quantized, FrontEndConfig.Default, Enumerable.Range(0, 12).Select(i => $"label{i}").ToArray());
        _features = inputs[0];
        _probabilities = new float[12];
    }

    [Benchmark]
    public void Predict() => _engine.Predict(_features, _probabilities);

    private static FloatGraph DsCnnS(DeterministicRandom random)
    {
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
        Add(new OpSpec(OpKind.FullyConnected, [], 0, new Dims(12, 1, 1, c)), new Dims(1, 1, 1, 12), 0.3, 12);
        Add(new OpSpec(OpKind.Softmax, [], 0), new Dims(1, 1, 1, 12), 0, 12);
        return new FloatGraph(tensors, ops, 0, tensors.Count - 1);
    }
}
