namespace Hark.Streaming;

/// <summary>A keyword's threshold before and after calibration, and what the new one gives on the calibration stream.</summary>
public sealed record KeywordCalibration(string Label, ushort Before, ushort After, double? Recall, int FalseAlarms,
    double FalseAlarmsPerHour, bool Disabled);

/// <summary>What <see cref="Calibrator.Calibrate"/> chose and the score it gives on its own stream.</summary>
public sealed record CalibrationResult(DetectorSettings Settings, double TargetFaPerHour, IReadOnlyList<KeywordCalibration> Keywords,
    StreamScore Score);

/// <summary>
/// Picks each keyword's threshold from a recorded stream (<see cref="ScoreTrace"/>), the other detector settings fixed:
/// the false-alarm budget <c>target</c> (per hour, all keywords together) is split evenly between the keywords, and each
/// keyword gets the smallest threshold from which on every higher threshold keeps its own false alarms within its share
/// (the highest recall at that rate; "from which on" guards against a threshold that happens to meet the budget between
/// two that do not). Keywords interact only through the shared refractory time and the choice of the strongest label,
/// so the search runs twice, each keyword against the others' latest thresholds, and a last check raises the
/// threshold of the keyword with the most false alarms, one step at a time, until the total meets the target.
/// A keyword that no threshold below 256 keeps within budget gets 256: it never fires (reported as disabled).
/// </summary>
public static class Calibrator
{
    public static CalibrationResult Calibrate(ScoreTrace trace, DetectorSettings settings, StreamTruth truth, double targetFaPerHour,
        double toleranceS = EventMatcher.DefaultToleranceSeconds)
    {
        if (!(targetFaPerHour >= 0)) throw new ArgumentOutOfRangeException(nameof(targetFaPerHour), "the target must be >= 0");
        var keywords = Enumerable.Range(0, trace.Labels.Count).Where(i => DetectorSettings.IsKeyword(trace.Labels[i])).ToList();
        if (keywords.Count == 0) throw new HarkException("the model has no keyword labels to calibrate");
        var absent = keywords.Where(i => !truth.Keywords.Any(k => k.Label == trace.Labels[i])).Select(i => trace.Labels[i]).ToList();
        if (absent.Count > 0)
            throw new HarkException($"the calibration stream has no {string.Join(", ", absent.Select(a => $"'{a}'"))}: make it with " +
                                    "hark stream-bench --keywords listing every keyword of the model");
        double share = targetFaPerHour / keywords.Count;

        var current = settings.WithThresholds(settings.Thresholds.Select((t, i) => keywords.Contains(i) ? ThresholdSweep.MaxThreshold : t).ToArray());
        for (int pass = 0; pass < 2; pass++)
            foreach (int k in keywords)
            {
                var fa = new int[ThresholdSweep.MaxThreshold + 1];
                for (int t = ThresholdSweep.MinThreshold; t <= ThresholdSweep.MaxThreshold; t++)
                    fa[t] = ThresholdSweep.Evaluate(trace, ThresholdSweep.With(current, k, (ushort)t), truth, toleranceS)
                        .For(trace.Labels[k])!.FalseAlarms;
                int chosen = ThresholdSweep.MaxThreshold;
                while (chosen > ThresholdSweep.MinThreshold && fa[chosen - 1] / truth.Hours <= share) chosen--;
                current = ThresholdSweep.With(current, k, (ushort)chosen);
            }

        var score = ThresholdSweep.Evaluate(trace, current, truth, toleranceS);
        while (score.FalseAlarmsPerHour > targetFaPerHour)
        {
            var open = keywords.Where(k => current.Thresholds[k] < ThresholdSweep.MaxThreshold).ToList();
            if (open.Count == 0) break; // what is left comes from labels this does not calibrate
            int worst = open.OrderByDescending(k => score.For(trace.Labels[k])!.FalseAlarms).ThenBy(k => k).First();
            current = ThresholdSweep.With(current, worst, (ushort)(current.Thresholds[worst] + 1));
            score = ThresholdSweep.Evaluate(trace, current, truth, toleranceS);
        }

        var result = keywords.Select(k =>
        {
            var s = score.For(trace.Labels[k])!;
            return new KeywordCalibration(trace.Labels[k], settings.Thresholds[k], current.Thresholds[k], s.Recall, s.FalseAlarms,
                s.FalseAlarmsPerHour, current.Thresholds[k] >= ThresholdSweep.MaxThreshold);
        }).ToList();
        return new CalibrationResult(current, targetFaPerHour, result, score);
    }

    /// <summary>One (smoothing, minimum count) pair tried by <see cref="Search"/>, calibrated.</summary>
    public sealed record Candidate(int Smoothing, int MinCount, CalibrationResult Result);

    /// <summary>
    /// <see cref="Calibrate"/> for every smoothing and minimum count given (inference interval and refractory time fixed),
    /// best first: the highest recall on the calibration stream, then the fewest false alarms, then the least smoothing
    /// and minimum count (the quickest detector).
    /// </summary>
    public static List<Candidate> Search(ScoreTrace trace, DetectorSettings settings, StreamTruth truth, double targetFaPerHour,
        IEnumerable<int> smoothings, IEnumerable<int> minCounts, double toleranceS = EventMatcher.DefaultToleranceSeconds)
    {
        var candidates = new List<Candidate>();
        foreach (int smoothing in smoothings.Distinct())
            foreach (int minCount in minCounts.Distinct())
                candidates.Add(new Candidate(smoothing, minCount,
                    Calibrate(trace, settings with { Smoothing = smoothing, MinCount = minCount }, truth, targetFaPerHour, toleranceS)));
        return [.. candidates
            .OrderByDescending(c => c.Result.Score.Hits)
            .ThenBy(c => c.Result.Score.FalseAlarms)
            .ThenBy(c => c.Smoothing + c.MinCount)
            .ThenBy(c => c.Smoothing)];
    }
}

