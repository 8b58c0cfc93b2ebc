namespace Hark.Streaming;

/// <summary>One threshold of a keyword's sweep: its miss rate and false alarms (detections carrying its label).</summary>
public sealed record DetPoint(ushort Threshold, double? MissRate, double FalseAlarmsPerHour, int Hits, int FalseAlarms);

/// <summary>
/// Detection-error-tradeoff curves without re-running the network: a keyword's threshold swept over 1..256 with every
/// other setting fixed, each point a <see cref="ScoreTrace.Replay"/> scored by <see cref="EventMatcher"/>. Threshold
/// 256 never fires (a posterior is at most 255/256), so each curve ends at no detections.
/// </summary>
public static class ThresholdSweep
{
    public const ushort MinThreshold = 1, MaxThreshold = 256;

    /// <summary>The score of <paramref name="settings"/> replayed on the trace.</summary>
    public static StreamScore Evaluate(ScoreTrace trace, DetectorSettings settings, StreamTruth truth, double toleranceS) =>
        EventMatcher.Match(truth, trace.Replay(settings), toleranceS, trace.Labels);

    /// <summary>Label <paramref name="label"/>'s threshold at 1..256, the others as in <paramref name="settings"/>.</summary>
    public static List<DetPoint> Sweep(ScoreTrace trace, DetectorSettings settings, StreamTruth truth, string label, double toleranceS)
    {
        int index = IndexOf(trace, label);
        var points = new List<DetPoint>(MaxThreshold);
        for (int t = MinThreshold; t <= MaxThreshold; t++)
        {
            var score = Evaluate(trace, With(settings, index, (ushort)t), truth, toleranceS).For(label)!;
            points.Add(new DetPoint((ushort)t, score.MissRate, score.FalseAlarmsPerHour, score.Hits, score.FalseAlarms));
        }
        return points;
    }

    internal static DetectorSettings With(DetectorSettings settings, int index, ushort threshold)
    {
        var thresholds = (ushort[])settings.Thresholds.Clone();
        thresholds[index] = threshold;
        return settings.WithThresholds(thresholds);
    }

    internal static int IndexOf(ScoreTrace trace, string label)
    {
        for (int i = 0; i < trace.Labels.Count; i++)
            if (trace.Labels[i] == label) return i;
        throw new ArgumentException($"'{label}' is not one of the model's labels", nameof(label));
    }
}
