using Hark.Audio;
using Hark.Features;
using Hark.Streaming;

namespace Hark.Tests.Streaming;

public class SweepAndCalibrationTests
{
    private static readonly Lazy<(string Dir, StreamTruth Truth, short[] Samples)> SyntheticStream = new(() =>
    {
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("sweep-data"));
        string dir = Path.Combine(TestPaths.NewTempDir("sweep-stream"), "s");
        var truth = StreamBuilder.Build(new StreamBenchOptions
        {
            DataRoots = [data], Keywords = ["yes", "no"], Minutes = 1.5, OutputDir = dir, Seed = 2, KeywordsPerMinute = 10,
        });
        var audio = WavReader.Read(Path.Combine(dir, StreamTruth.WavFileName));
        var samples = new short[audio.Samples.Length];
        FrontEnd.Quantize(audio.Samples, samples);
        return (dir, truth, samples);
    });

    private static List<DetectionEvent> RunDirectly(DetectorSettings settings, short[] samples)
    {
        var stream = new KeywordStream(StreamTestData.Package().CreateEngine(), settings);
        var events = new List<DetectionEvent>();
        stream.Push(samples, events);
        return events;
    }

    [Fact]
    public void Replaying_the_recorded_scores_gives_exactly_the_events_of_running_the_detector_again()
    {
        var (_, truth, samples) = SyntheticStream.Value;
        var package = StreamTestData.Package();
        var (trace, events) = StreamEvaluator.Record(package, package.Detector, samples);
        Assert.Equal(events, trace.Replay(package.Detector));

        // Thresholds spread over what the network actually outputs for "yes", so the settings give different events.
        var yes = Enumerable.Range(0, trace.Count).Select(i => trace.Scores(i)[0] + 128).Order().ToList();
        var thresholds = new[] { 0.2, 0.5, 0.8, 0.95 }.Select(q => (ushort)Math.Max(1, yes[(int)(q * (yes.Count - 1))])).Distinct().ToList();
        var seen = new HashSet<int>();
        foreach (ushort t in thresholds)
            foreach (var (smoothing, minCount) in new[] { (1, 1), (3, 1), (4, 2) })
            {
                var settings = package.Detector with { Smoothing = smoothing, MinCount = minCount, RefractorySamples = 8000, Thresholds = [t, 180, 0] };
                var direct = RunDirectly(settings, samples);
                Assert.Equal(direct, trace.Replay(settings));
                seen.Add(direct.Count);
            }
        Assert.True(seen.Count >= 3, $"the settings should give different event counts, got {string.Join(", ", seen)}");

        // A sweep point is the matcher's score of that threshold's direct run.
        var sweep = ThresholdSweep.Sweep(trace, package.Detector, truth, "yes", 1.0);
        Assert.Equal(256, sweep.Count);
        foreach (ushort t in thresholds)
        {
            var direct = EventMatcher.Match(truth, RunDirectly(package.Detector.WithThresholds([t, 205, 0]), samples), 1.0, package.Labels).For("yes")!;
            var point = sweep[t - 1];
            Assert.Equal((t, direct.Hits, direct.FalseAlarms, direct.MissRate), (point.Threshold, point.Hits, point.FalseAlarms, point.MissRate));
        }
        Assert.Equal(0, sweep[^1].Hits + sweep[^1].FalseAlarms); // 256 never fires
        Assert.Throws<ArgumentException>(() => trace.Replay(package.Detector with { InferEvery = 4 }));
    }

    [Fact]
    public void Calibrated_thresholds_meet_the_target_when_the_detector_runs_again_on_the_stream()
    {
        var (_, truth, samples) = SyntheticStream.Value;
        var package = StreamTestData.Package();
        var (trace, _) = StreamEvaluator.Record(package, package.Detector, samples);
        // The random model fires all over the place at low thresholds; ask for a rate it meets only part way up.
        double loose = ThresholdSweep.Evaluate(trace, package.Detector.WithThresholds([1, 1, 0]), truth, 1.0).FalseAlarmsPerHour;
        double target = Math.Round(loose / 4);
        var result = Calibrator.Calibrate(trace, package.Detector, truth, target);

        var rerun = EventMatcher.Match(truth, RunDirectly(result.Settings, samples), 1.0, package.Labels);
        Assert.True(rerun.FalseAlarmsPerHour <= target, $"{rerun.FalseAlarmsPerHour} FA/h on the calibration stream, target {target}");
        Assert.Equal(result.Score.FalseAlarms, rerun.FalseAlarms);
        Assert.Equal(result.Score.Hits, rerun.Hits);
        Assert.Equal(0, result.Settings.Thresholds[2]);
        Assert.Contains(result.Keywords, k => k.After is > 1 and < 256);
    }

    // A hand-made hour: one inference every 0.5 s, baseline posteriors 10, keywords at known posteriors, bumps elsewhere.
    private static (ScoreTrace Trace, StreamTruth Truth, DetectorSettings Settings) HandMadeHour(int noBump = 200)
    {
        const int rate = 16000, step = rate / 2;
        var posteriors = new Dictionary<long, (int Yes, int No)>();
        var words = new List<PlacedClip>();
        for (int i = 0; i < 10; i++)
        {
            double yesStart = 100 + 300 * i, noStart = 250 + 300 * i;
            words.Add(StreamTestData.Word("yes", yesStart, yesStart + 0.5));
            words.Add(StreamTestData.Word("no", noStart, noStart + 0.5));
            posteriors[(long)((yesStart + 0.5) * rate)] = (230, 10);
            posteriors[(long)((noStart + 0.5) * rate)] = (10, i < 7 ? 230 : 160);
        }
        int[] yesBumps = [150, 150, 150, 150, 150, 180, 180], noBumps = [noBump, 120, 120, 120, 120];
        for (int i = 0; i < yesBumps.Length; i++) posteriors[(long)((170 + 300 * i) * rate)] = (yesBumps[i], 10);
        for (int i = 0; i < noBumps.Length; i++) posteriors[(long)((20 + 300 * i) * rate)] = (10, noBumps[i]);

        var trace = new ScoreTrace(StreamTestData.ModelLabels, 5);
        for (long t = step; t <= 3600L * rate; t += step)
        {
            var (yes, no) = posteriors.GetValueOrDefault(t, (10, 10));
            trace.Add(t, [(sbyte)(yes - 128), (sbyte)(no - 128), (sbyte)(256 - yes - no - 128 - 1)]);
        }
        var settings = new DetectorSettings(5, 1, 1, rate, [205, 205, 0]);
        return (trace, StreamTestData.Truth(3600, [.. words.Where(w => w.Label == "yes"), .. words.Where(w => w.Label == "no")]), settings);
    }

    [Fact]
    public void Each_keyword_gets_the_smallest_threshold_that_keeps_its_share_of_the_false_alarms()
    {
        var (trace, truth, settings) = HandMadeHour();
        Assert.Equal(1.0, truth.Hours, 9);

        // 2 per hour for two keywords: one false alarm each. "yes" must pass its two 180 bumps' worth down to one: above
        // 180. "no" may keep its single 200 bump, but not the four at 120: 121. Every keyword word is then found.
        var result = Calibrator.Calibrate(trace, settings, truth, 2.0);
        Assert.Equal(new ushort[] { 181, 121, 0 }, result.Settings.Thresholds);
        Assert.Equal((1.0, 0, 1, 1.0, 1), (result.Keywords[0].Recall!.Value, result.Keywords[0].FalseAlarms, result.Keywords[1].FalseAlarms,
            result.Keywords[1].Recall!.Value, result.Score.FalseAlarms));
        Assert.Equal(205, result.Keywords[0].Before);

        // No false alarm at all: "no" must rise above its 200 bump, losing its three words said at 160.
        var strict = Calibrator.Calibrate(trace, settings, truth, 0);
        Assert.Equal(new ushort[] { 181, 201, 0 }, strict.Settings.Thresholds);
        Assert.Equal(0.7, strict.Keywords[1].Recall!.Value, 9);
        Assert.Equal(0, strict.Score.FalseAlarms);
        Assert.Equal(0.85, strict.Score.Recall!.Value, 9);
    }

    [Fact]
    public void The_search_keeps_the_smoothing_and_minimum_count_that_find_the_most_keywords()
    {
        var (trace, truth, settings) = HandMadeHour();
        var candidates = Calibrator.Search(trace, settings with { Smoothing = 4 }, truth, 2.0, [1, 3], [1, 2]);

        Assert.Equal(4, candidates.Count);
        // Each word peaks in one inference: without smoothing, two in a row above threshold never happen.
        Assert.Equal(0, candidates.Single(c => c is { Smoothing: 1, MinCount: 2 }).Result.Score.Hits);
        var best = candidates[0];
        Assert.Equal((1, 1), (best.Smoothing, best.MinCount));
        Assert.Equal(new ushort[] { 181, 121, 0 }, best.Result.Settings.Thresholds);
        Assert.Equal((1, 1), (best.Result.Settings.Smoothing, best.Result.Settings.MinCount));
        Assert.True(candidates.Zip(candidates.Skip(1)).All(p => p.First.Result.Score.Hits >= p.Second.Result.Score.Hits));
    }

    [Fact]
    public void A_keyword_no_threshold_can_tame_is_switched_off()
    {
        var (trace, truth, settings) = HandMadeHour(noBump: 255);
        var result = Calibrator.Calibrate(trace, settings, truth, 0);
        Assert.Equal(256, result.Settings.Thresholds[1]);
        Assert.True(result.Keywords[1].Disabled);
        Assert.Equal(0, result.Keywords[1].Recall!.Value);
        Assert.False(result.Keywords[0].Disabled);
    }

    [Fact]
    public void Calibrating_a_keyword_the_stream_lacks_is_refused()
    {
        var (trace, truth, settings) = HandMadeHour();
        var onlyYes = truth with { Keywords = [.. truth.Keywords.Where(k => k.Label == "yes")] };
        var e = Assert.Throws<HarkException>(() => Calibrator.Calibrate(trace, settings, onlyYes, 1));
        Assert.Contains("no 'no'", e.Message);
    }
}
