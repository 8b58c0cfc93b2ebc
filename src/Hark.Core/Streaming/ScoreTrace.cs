namespace Hark.Streaming;

/// <summary>
/// Every inference's time and raw int8 softmax output over one stream, recorded once
/// (<see cref="KeywordStream.InferenceObserver"/>), so other detector settings can be tried without running the
/// network again: <see cref="Replay"/> feeds the recorded outputs to a fresh <see cref="KeywordDetector"/>, which sees
/// exactly what it would have seen inside <see cref="KeywordStream"/>. Smoothing, minimum count, refractory time and
/// thresholds can change; <see cref="DetectorSettings.InferEvery"/> cannot (it decides when inferences happen).
/// </summary>
public sealed class ScoreTrace
{
    private readonly List<long> _times = [];
    private readonly List<sbyte> _scores = [];

    public ScoreTrace(IReadOnlyList<string> labels, int inferEvery)
    {
        Labels = labels;
        InferEvery = inferEvery;
    }

    public IReadOnlyList<string> Labels { get; }
    public int InferEvery { get; }
    public int Count => _times.Count;

    /// <summary>Stream time (samples) of inference <paramref name="i"/>: the end of its window.</summary>
    public long Time(int i) => _times[i];

    /// <summary>Appends one inference; the shape of <see cref="KeywordStream.InferenceObserver"/>.</summary>
    public void Add(long time, ReadOnlySpan<sbyte> scores)
    {
        if (scores.Length != Labels.Count) throw new ArgumentException($"expected {Labels.Count} scores", nameof(scores));
        if (_times.Count > 0 && time <= _times[^1]) throw new ArgumentException("inferences must be added in time order", nameof(time));
        _times.Add(time);
        foreach (sbyte s in scores) _scores.Add(s);
    }

    /// <summary>The recorded output of inference <paramref name="i"/>.</summary>
    public ReadOnlySpan<sbyte> Scores(int i) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scores).Slice(i * Labels.Count, Labels.Count);

    /// <summary>The events <paramref name="settings"/> would have produced on the recorded stream.</summary>
    /// <exception cref="ArgumentException">Settings invalid for these labels, or another inference interval.</exception>
    public List<DetectionEvent> Replay(DetectorSettings settings)
    {
        if (settings.InferEvery != InferEvery)
            throw new ArgumentException($"the trace was recorded with an inference every {InferEvery} frames, not {settings.InferEvery}", nameof(settings));
        var detector = new KeywordDetector(settings, Labels.Count);
        var events = new List<DetectionEvent>();
        var scores = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scores);
        for (int i = 0; i < _times.Count; i++)
        {
            int label = detector.Step(scores.Slice(i * Labels.Count, Labels.Count), _times[i], out int score);
            if (label >= 0) events.Add(new DetectionEvent(label, Labels[label], _times[i], score));
        }
        return events;
    }
}
