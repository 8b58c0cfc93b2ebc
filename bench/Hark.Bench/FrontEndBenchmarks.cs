using BenchmarkDotNet.Attributes;
using Hark.Features;

namespace Hark.Bench;

/// <summary>
/// Target: the default (mfcc10) front end computes at least 5,000 s of audio per second per core, i.e. one 1-s
/// clip in under 200 us, and the streaming path allocates nothing (Allocated column: 0 B for a whole clip).
/// </summary>
[MemoryDiagnoser]
public class FrontEndBenchmarks
{
    private FrontEnd _frontEnd = null!;
    private FrontEndStream _stream = null!;
    private float[] _clip = null!;
    private short[] _clip16 = null!;
    private float[] _features = null!;

    [Params("mfcc10", "logmel40")]
    public string Preset { get; set; } = "mfcc10";

    [GlobalSetup]
    public void Setup()
    {
        _frontEnd = new FrontEnd(FrontEndConfig.Preset(Preset));
        _stream = new FrontEndStream(_frontEnd);
        var random = new Hark.DeterministicRandom(1);
        _clip = Enumerable.Range(0, 16000).Select(_ => (float)random.NextDouble(-0.5, 0.5)).ToArray();
        _clip16 = _clip.Select(FrontEnd.Quantize).ToArray();
        _features = new float[_frontEnd.FramesPerClip * _frontEnd.FeaturesPerFrame];
    }

    [Benchmark(Baseline = true, Description = "ComputeClip(float[16000])")]
    public void ComputeClip() => _frontEnd.ComputeClip(_clip, _features);

    /// <summary>One second of int16 audio pushed in 10 ms (160-sample) blocks, as a microphone driver delivers it.</summary>
    [Benchmark(Description = "Stream 1 s in 160-sample pushes")]
    public int StreamOneSecond()
    {
        _stream.Reset();
        int frames = 0;
        for (int offset = 0; offset < _clip16.Length; offset += 160)
            frames += _stream.Push(_clip16.AsSpan(offset, 160), _features.AsSpan(frames * _frontEnd.FeaturesPerFrame));
        return frames;
    }
}
