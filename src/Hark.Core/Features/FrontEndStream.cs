namespace Hark.Features;

/// <summary>
/// Push-style front end for live audio: feed any number of samples at a time, get each frame's features as soon as
/// its window is complete. Frame i covers samples [i * stride, i * stride + window) of everything pushed since the
/// last <see cref="Reset"/>, and its features are bit-identical to frame i of
/// <see cref="FrontEnd.ComputeClip(ReadOnlySpan{short}, Span{float})"/> on the same samples. Nothing is allocated
/// after construction. Not thread-safe: one stream per audio source.
/// </summary>
public sealed class FrontEndStream
{
    private readonly FrontEnd _frontEnd;
    private readonly short[] _pending;     // samples of the next frame, from its first sample on
    private readonly float[] _scratch;
    private int _pendingCount;
    private short _previous;               // the sample just before _pending[0], 0 at the start

    public FrontEndStream(FrontEnd frontEnd)
    {
        _frontEnd = frontEnd;
        _pending = new short[frontEnd.Config.WindowSamples];
        _scratch = new float[frontEnd.ScratchLength];
    }

    public FrontEnd FrontEnd => _frontEnd;

    /// <summary>Frames emitted since construction or the last <see cref="Reset"/>.</summary>
    public long FramesEmitted { get; private set; }

    /// <summary>How many frames pushing <paramref name="sampleCount"/> more samples will emit.</summary>
    public int FramesFor(int sampleCount)
    {
        int window = _pending.Length, stride = _frontEnd.Config.StrideSamples;
        long total = (long)_pendingCount + sampleCount;
        return total < window ? 0 : (int)(1 + (total - window) / stride);
    }

    /// <summary>
    /// Consumes all of <paramref name="samples"/> and writes the completed frames' features to
    /// <paramref name="features"/> ([frame, feature], at least <see cref="FramesFor"/> frames long).
    /// Returns the number of frames written.
    /// </summary>
    public int Push(ReadOnlySpan<short> samples, Span<float> features)
    {
        int perFrame = _frontEnd.FeaturesPerFrame;
        int needed = FramesFor(samples.Length) * perFrame;
        if (features.Length < needed)
            throw new ArgumentException($"features must hold at least {needed} floats, not {features.Length}", nameof(features));
        int frames = 0;
        while (true)
        {
            int take = Math.Min(samples.Length, _pending.Length - _pendingCount);
            samples[..take].CopyTo(_pending.AsSpan(_pendingCount));
            samples = samples[take..];
            _pendingCount += take;
            if (_pendingCount < _pending.Length) return frames;
            EmitFrame(features.Slice(frames * perFrame, perFrame));
            frames++;
        }
    }

    /// <summary>Float samples in [-1, 1], quantised with <see cref="FrontEnd.Quantize"/> first.</summary>
    public int Push(ReadOnlySpan<float> samples, Span<float> features)
    {
        int frames = 0, perFrame = _frontEnd.FeaturesPerFrame;
        int needed = FramesFor(samples.Length) * perFrame;
        if (features.Length < needed)
            throw new ArgumentException($"features must hold at least {needed} floats, not {features.Length}", nameof(features));
        Span<short> chunk = stackalloc short[256];
        while (!samples.IsEmpty)
        {
            int count = Math.Min(chunk.Length, samples.Length);
            for (int i = 0; i < count; i++) chunk[i] = FrontEnd.Quantize(samples[i]);
            frames += Push(chunk[..count], features[(frames * perFrame)..]);
            samples = samples[count..];
        }
        return frames;
    }

    /// <summary>Forgets all pushed audio: the next sample pushed is sample 0 of a new signal.</summary>
    public void Reset()
    {
        _pendingCount = 0;
        _previous = 0;
        FramesEmitted = 0;
    }

    private void EmitFrame(Span<float> output)
    {
        _frontEnd.LoadFrame(_pending, 0, _scratch);
        _frontEnd.ComputeFrame(_scratch, _previous * FrontEndTables.InputScale, output);
        FramesEmitted++;
        // Keep the overlap with the next frame; stride <= window is a config rule, so this never skips samples.
        int stride = _frontEnd.Config.StrideSamples;
        _previous = _pending[stride - 1];
        _pending.AsSpan(stride).CopyTo(_pending);
        _pendingCount -= stride;
    }
}
