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
/// its convolutions run AVX2 paths where available (same bytes as the scalar loops).
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
        _engine = new Int8Engine(Hark.Tests.DsCnnGraphs.Quantized(1, 12), FrontEndConfig.Default, Enumerable.Range(0, 12).Select(i => $"label{i}").ToArray());
        _features = Hark.Tests.DsCnnGraphs.Inputs(2, 1)[0];
        _probabilities = new float[12];
    }

    [Benchmark]
    public void Predict() => _engine.Predict(_features, _probabilities);
}
