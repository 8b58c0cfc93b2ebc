namespace Hark.Streaming;

/// <summary>A keyword detection: which label, when (the end of the detecting window, in samples), how sure.</summary>
/// <param name="Label">Index into the model's labels.</param>
/// <param name="Name">The label.</param>
/// <param name="Sample">Stream time in samples since the stream began: the end (exclusive) of the detecting window.</param>
/// <param name="Score">Smoothed probability in 1/256 units (0..255).</param>
public readonly record struct DetectionEvent(int Label, string Name, long Sample, int Score)
{
    public double TimeSeconds(int sampleRate) => (double)Sample / sampleRate;
    public double Probability => Score / 256.0;
}

/// <summary>
/// The detector after each inference: smoothing, per-label thresholds, minimum count and refractory time, in integer
/// arithmetic exactly as hark_kws.c's <c>hark__detect</c> (the algorithm is written down once, in hark_kws.h).
/// Allocates nothing per step. Not thread-safe.
/// </summary>
public sealed class KeywordDetector
{
    private readonly DetectorSettings _settings;
    private readonly byte[] _history;      // [Smoothing, labels] posteriors (score + 128)
    private readonly int[] _run;
    private readonly int _labels;
    private int _historyNext;
    private long _inferences;
    private bool _hasEvent;
    private long _lastEvent;

    public KeywordDetector(DetectorSettings settings, int labelCount)
    {
        var problems = settings.Problems(labelCount).ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(settings));
        _settings = settings;
        _labels = labelCount;
        _history = new byte[settings.Smoothing * labelCount];
        _run = new int[labelCount];
    }

    public DetectorSettings Settings => _settings;

    public void Reset()
    {
        _historyNext = 0;
        _inferences = 0;
        _hasEvent = false;
        _lastEvent = 0;
        Array.Clear(_run);
    }

    /// <summary>
    /// One inference's int8 softmax output at stream time <paramref name="time"/>: returns the label that fires, or -1;
    /// <paramref name="score"/> is its smoothed score in 1/256 units.
    /// </summary>
    public int Step(ReadOnlySpan<sbyte> scores, long time, out int score)
    {
        if (scores.Length != _labels) throw new ArgumentException($"expected {_labels} scores", nameof(scores));
        _inferences++;
        int slot = _historyNext;
        for (int i = 0; i < _labels; i++) _history[slot * _labels + i] = (byte)(scores[i] + 128);
        _historyNext = slot + 1 == _settings.Smoothing ? 0 : slot + 1;
        int n = (int)Math.Min(_inferences, _settings.Smoothing);
        int best = -1, bestSum = -1;
        for (int i = 0; i < _labels; i++)
        {
            int sum = 0;
            for (int k = 0; k < n; k++) sum += _history[k * _labels + i];
            ushort threshold = _settings.Thresholds[i];
            if (threshold > 0 && sum >= threshold * n) { if (_run[i] < ushort.MaxValue) _run[i]++; }
            else _run[i] = 0;
            if (_run[i] >= _settings.MinCount && sum > bestSum)
            {
                best = i;
                bestSum = sum;
            }
        }
        score = 0;
        if (best < 0 || (_hasEvent && time - _lastEvent < _settings.RefractorySamples)) return -1;
        _hasEvent = true;
        _lastEvent = time;
        score = bestSum / n;
        return best;
    }
}
