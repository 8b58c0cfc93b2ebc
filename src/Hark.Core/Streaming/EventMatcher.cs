namespace Hark.Streaming;

/// <summary>A spoken word of a benchmark stream: its label and where the speech is, in seconds.</summary>
public readonly record struct TruthWord(string Label, double StartS, double EndS)
{
    public static TruthWord Of(PlacedClip clip) => new(clip.Label, clip.StartS, clip.EndS);
}

/// <summary>What a detection was, judged against the truth.</summary>
public enum DetectionOutcome
{
    /// <summary>The first detection of a keyword, with its label, inside its window.</summary>
    Hit,
    /// <summary>A second detection of a keyword already hit.</summary>
    Duplicate,
    /// <summary>Inside another keyword's window, with the wrong label.</summary>
    WrongLabel,
    /// <summary>Inside a distractor's window (a non-keyword word).</summary>
    Distractor,
    /// <summary>Anywhere else: background noise or a silence gap.</summary>
    Background,
}

/// <param name="Truth">Index into the keyword truths of the keyword this detection hit, or -1.</param>
public readonly record struct ScoredDetection(DetectionEvent Event, double TimeS, DetectionOutcome Outcome, int Truth);

/// <summary>One keyword's numbers: truths of it, how many were hit, false alarms carrying its label.</summary>
public sealed record KeywordScore(string Label, int Truths, int Hits, double? Recall, int FalseAlarms, double FalseAlarmsPerHour,
    int Duplicates, int WrongLabel, int AtDistractors, int InBackground)
{
    public double? MissRate => Recall is { } r ? 1 - r : null;
}

/// <summary>A stream's score: recall over every keyword truth, false alarms over the stream's hours.</summary>
public sealed record StreamScore(double Hours, double ToleranceS, int Truths, int Hits, double? Recall, int FalseAlarms,
    double FalseAlarmsPerHour, IReadOnlyList<KeywordScore> PerKeyword, IReadOnlyList<ScoredDetection> Detections,
    IReadOnlyList<int> Missed)
{
    public KeywordScore? For(string label) => PerKeyword.FirstOrDefault(k => k.Label == label);
}

/// <summary>
/// Matches detections to the truth. A detection of keyword L at time t (the end of its window,
/// <see cref="DetectionEvent.Sample"/>) is a hit when t lies in [start, end + tolerance] of a truth L that no earlier
/// detection hit; among several such truths it takes the one ending first (which maximises the hits for time-ordered
/// points and intervals). Every other detection is a false alarm, classified by where it fell
/// (<see cref="DetectionOutcome"/>), including a second detection of one word and the wrong label at a keyword.
/// </summary>
public static class EventMatcher
{
    /// <summary>
    /// Default tolerance after the end of a word (seconds). The detecting window is 1 s long and ends at the detection
    /// time, so a window ending more than 1 s after the word's end holds none of it: a detection that late is not
    /// caused by the word. The word's start is the lower bound: a window ending before it holds none of it either.
    /// </summary>
    public const double DefaultToleranceSeconds = 1.0;

    /// <param name="keywords">The keyword truths.</param>
    /// <param name="distractors">Non-keyword words (only used to classify false alarms).</param>
    /// <param name="events">Detections, in any order.</param>
    /// <param name="sampleRate">Converts <see cref="DetectionEvent.Sample"/> to seconds.</param>
    /// <param name="hours">Length of the stream, for false alarms per hour.</param>
    /// <param name="keywordLabels">Labels to report (the truth's and the model's keywords); labels of truths and events
    /// are added if missing.</param>
    public static StreamScore Match(IReadOnlyList<TruthWord> keywords, IReadOnlyList<TruthWord> distractors,
        IReadOnlyList<DetectionEvent> events, int sampleRate, double hours, double toleranceS, IEnumerable<string> keywordLabels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (!(hours > 0)) throw new ArgumentOutOfRangeException(nameof(hours), "the stream must have a length");
        if (!(toleranceS >= 0)) throw new ArgumentOutOfRangeException(nameof(toleranceS), "tolerance must be >= 0");
        var keywordIndex = new Windows(keywords, toleranceS);
        var distractorIndex = new Windows(distractors, toleranceS);
        var matched = new bool[keywords.Count];
        var ordered = events.Select((e, i) => (Event: e, Order: i)).OrderBy(x => x.Event.Sample).ThenBy(x => x.Order).Select(x => x.Event);
        var detections = new List<ScoredDetection>(events.Count);
        foreach (var e in ordered)
        {
            double t = e.Sample / (double)sampleRate;
            int best = -1;
            bool sameLabelMatched = false, otherLabel = false;
            foreach (int k in keywordIndex.Containing(t))
            {
                if (keywords[k].Label != e.Name) { otherLabel = true; continue; }
                if (matched[k]) { sameLabelMatched = true; continue; }
                if (best < 0 || keywords[k].EndS < keywords[best].EndS || (keywords[k].EndS == keywords[best].EndS && k < best)) best = k;
            }
            DetectionOutcome outcome;
            if (best >= 0)
            {
                matched[best] = true;
                outcome = DetectionOutcome.Hit;
            }
            else if (sameLabelMatched) outcome = DetectionOutcome.Duplicate;
            else if (otherLabel) outcome = DetectionOutcome.WrongLabel;
            else if (distractorIndex.Containing(t).Any()) outcome = DetectionOutcome.Distractor;
            else outcome = DetectionOutcome.Background;
            detections.Add(new ScoredDetection(e, t, outcome, best));
        }

        var labels = keywordLabels.Concat(keywords.Select(k => k.Label)).Concat(events.Select(e => e.Name)).Distinct().ToList();
        var perKeyword = labels.Select(label =>
        {
            int truths = keywords.Count(k => k.Label == label);
            int hits = detections.Count(d => d.Outcome == DetectionOutcome.Hit && d.Event.Name == label);
            var fas = detections.Where(d => d.Outcome != DetectionOutcome.Hit && d.Event.Name == label).ToList();
            return new KeywordScore(label, truths, hits, truths > 0 ? (double)hits / truths : null, fas.Count, fas.Count / hours,
                fas.Count(d => d.Outcome == DetectionOutcome.Duplicate), fas.Count(d => d.Outcome == DetectionOutcome.WrongLabel),
                fas.Count(d => d.Outcome == DetectionOutcome.Distractor), fas.Count(d => d.Outcome == DetectionOutcome.Background));
        }).ToList();
        int allHits = detections.Count(d => d.Outcome == DetectionOutcome.Hit);
        int falseAlarms = detections.Count - allHits;
        var missed = Enumerable.Range(0, keywords.Count).Where(k => !matched[k]).ToList();
        return new StreamScore(hours, toleranceS, keywords.Count, allHits, keywords.Count > 0 ? (double)allHits / keywords.Count : null,
            falseAlarms, falseAlarms / hours, perKeyword, detections, missed);
    }

    /// <summary>The truth of a stream against events of a model with these labels.</summary>
    public static StreamScore Match(StreamTruth truth, IReadOnlyList<DetectionEvent> events, double toleranceS, IEnumerable<string> modelLabels) =>
        Match([.. truth.Keywords.Select(TruthWord.Of)], [.. (truth.Distractors ?? []).Select(TruthWord.Of)], events, truth.SampleRate,
            truth.Hours, toleranceS, truth.KeywordLabels.Concat(modelLabels.Where(DetectorSettings.IsKeyword)));

    /// <summary>Words' windows [start, end + tolerance], sorted by start, for finding those containing a time.</summary>
    private sealed class Windows
    {
        private readonly int[] _byStart;
        private readonly double[] _starts, _ends;
        private readonly double _longest;

        public Windows(IReadOnlyList<TruthWord> words, double tolerance)
        {
            _byStart = [.. Enumerable.Range(0, words.Count).OrderBy(i => words[i].StartS).ThenBy(i => i)];
            _starts = [.. _byStart.Select(i => words[i].StartS)];
            _ends = [.. _byStart.Select(i => words[i].EndS + tolerance)];
            _longest = _byStart.Length == 0 ? 0 : _byStart.Max(i => words[i].EndS + tolerance - words[i].StartS);
        }

        /// <summary>Indices (into the original list) of the windows holding <paramref name="t"/>, ends inclusive.</summary>
        public IEnumerable<int> Containing(double t)
        {
            // Last window starting at or before t; no window starting earlier than t - longest can still be open.
            int lo = 0, hi = _starts.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_starts[mid] <= t) lo = mid + 1;
                else hi = mid;
            }
            for (int i = lo - 1; i >= 0 && _starts[i] >= t - _longest; i--)
                if (t <= _ends[i]) yield return _byStart[i];
        }
    }
}
