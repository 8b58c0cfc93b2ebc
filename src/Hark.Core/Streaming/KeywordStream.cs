using Hark.Engine;
using Hark.Features;
using Hark.Quantization;

namespace Hark.Streaming;

/// <summary>
/// Continuous keyword detection on the reference int8 engine: the C# twin of <c>hark_kws_push</c> (runtime/c/hark_kws.h
/// documents the steps). Samples in, in chunks of any size; events out, identical to the C library's event for event.
/// Each frame is computed once, as the samples arrive, and its int8 features kept in a ring of one window. Nothing is
/// allocated per push. Not thread-safe: one instance per audio stream.
/// </summary>
public sealed class KeywordStream
{
    private const int ChunkSamples = 4096;

    private readonly Int8Engine _engine;
    private readonly FrontEndStream _frontEnd;
    private readonly KeywordDetector _detector;
    private readonly TensorQuantization _inputQuantization;
    private readonly int _frames, _features, _window, _stride;
    private readonly sbyte[] _ring, _input, _scores;
    private readonly float[] _frameFeatures;
    private int _newest, _untilInference;
    private long _windowEnd;

    public KeywordStream(Int8Engine engine, DetectorSettings settings)
    {
        _engine = engine;
        var frontEnd = new FrontEnd(engine.FrontEnd);
        _frontEnd = new FrontEndStream(frontEnd);
        _detector = new KeywordDetector(settings, engine.Labels.Count);
        _inputQuantization = engine.Graph.InputQuantization;
        _frames = frontEnd.FramesPerClip;
        _features = frontEnd.FeaturesPerFrame;
        _window = engine.FrontEnd.WindowSamples;
        _stride = engine.FrontEnd.StrideSamples;
        _ring = new sbyte[_frames * _features];
        _input = new sbyte[_frames * _features];
        _scores = new sbyte[engine.Labels.Count];
        // With up to window - 1 samples pending, a chunk completes at most (chunk - 1) / stride + 1 frames.
        _frameFeatures = new float[((ChunkSamples - 1) / _stride + 1) * _features];
        Reset();
    }

    /// <summary>Called after every inference with its time (samples) and raw int8 softmax output.</summary>
    public Action<long, ReadOnlySpan<sbyte>>? InferenceObserver { get; set; }

    public DetectorSettings Settings => _detector.Settings;
    public IReadOnlyList<string> Labels => _engine.Labels;
    public int SampleRate => _engine.FrontEnd.SampleRate;

    public long SamplesPushed { get; private set; }
    public long FramesComputed { get; private set; }
    public long Inferences { get; private set; }

    /// <summary>The newest inference's int8 softmax output (probability (q + 128) / 256); zeros before the first.</summary>
    public ReadOnlySpan<sbyte> LastScores => _scores;

    public void Reset()
    {
        _frontEnd.Reset();
        _detector.Reset();
        Array.Clear(_ring);
        Array.Clear(_scores);
        _newest = _frames - 1;
        _untilInference = _frames;
        _windowEnd = 0;
        SamplesPushed = FramesComputed = Inferences = 0;
    }

    /// <summary>Streams <paramref name="samples"/>; appends the events they complete to <paramref name="events"/>.</summary>
    public void Push(ReadOnlySpan<short> samples, ICollection<DetectionEvent> events)
    {
        while (!samples.IsEmpty)
        {
            var chunk = samples[..Math.Min(ChunkSamples, samples.Length)];
            samples = samples[chunk.Length..];
            int frames = _frontEnd.Push(chunk, _frameFeatures);
            SamplesPushed += chunk.Length;
            for (int f = 0; f < frames; f++) OnFrame(_frameFeatures.AsSpan(f * _features, _features), events);
        }
    }

    /// <summary>Float samples in [-1, 1], converted to int16 exactly as a 16-bit WAV holds them.</summary>
    public void Push(ReadOnlySpan<float> samples, ICollection<DetectionEvent> events)
    {
        Span<short> chunk = stackalloc short[512];
        while (!samples.IsEmpty)
        {
            int n = Math.Min(chunk.Length, samples.Length);
            for (int i = 0; i < n; i++) chunk[i] = FrontEnd.Quantize(samples[i]);
            Push(chunk[..n], events);
            samples = samples[n..];
        }
    }

    /// <summary>The int8 features of the newest window, oldest frame first: the network's exact input.</summary>
    public void CopyWindow(Span<sbyte> destination)
    {
        int oldest = _newest + 1 == _frames ? 0 : _newest + 1;
        int tail = (_frames - oldest) * _features;
        _ring.AsSpan(oldest * _features, tail).CopyTo(destination);
        _ring.AsSpan(0, oldest * _features).CopyTo(destination[tail..]);
    }

    private void OnFrame(ReadOnlySpan<float> features, ICollection<DetectionEvent> events)
    {
        _newest = _newest + 1 == _frames ? 0 : _newest + 1;
        Quantizer.QuantizeValues(features, _inputQuantization, _ring.AsSpan(_newest * _features, _features));
        _windowEnd = FramesComputed == 0 ? _window : _windowEnd + _stride;
        FramesComputed++;
        if (--_untilInference > 0) return;
        _untilInference = _detector.Settings.InferEvery;
        CopyWindow(_input);
        _engine.RunInt8(_input, _scores);
        Inferences++;
        InferenceObserver?.Invoke(_windowEnd, _scores);
        int label = _detector.Step(_scores, _windowEnd, out int score);
        if (label >= 0) events.Add(new DetectionEvent(label, _engine.Labels[label], _windowEnd, score));
    }
}
