using Hark.Engine;
using Hark.Features;
using Hark.Quantization;
using Hark.Streaming;
using Hark.Tests.Engine;

namespace Hark.Tests.Streaming;

/// <summary>
/// The detector rules of hark_kws.h on scripted score sequences (smoothing, thresholds, minimum count, refractory,
/// ties, labels that never fire), and the streaming pipeline: chunk sizes never change the events, and every
/// inference equals the engine run on the window's own samples (the ring holds exactly the right frames).
/// </summary>
public class KeywordDetectorTests
{
    private static readonly string[] Labels = ["yes", "no", Hark.Datasets.Labels.Unknown, Hark.Datasets.Labels.Silence];

    private static sbyte[] Scores(params int[] posteriors) => posteriors.Select(p => (sbyte)(p - 128)).ToArray();

    private static DetectorSettings Settings(int smoothing = 1, int minCount = 1, int refractory = 0, ushort threshold = 128) =>
        DetectorSettings.Default(Labels) with
        {
            Smoothing = smoothing, MinCount = minCount, RefractorySamples = refractory,
            Thresholds = [threshold, threshold, 0, 0],
        };

    private static List<(long Time, int Label, int Score)> Run(DetectorSettings settings, params int[][] posteriors)
    {
        var detector = new KeywordDetector(settings, Labels.Length);
        var fired = new List<(long, int, int)>();
        for (int i = 0; i < posteriors.Length; i++)
        {
            int label = detector.Step(Scores(posteriors[i]), 1000 * (i + 1), out int score);
            if (label >= 0) fired.Add((1000 * (i + 1), label, score));
        }
        return fired;
    }

    [Fact]
    public void A_score_at_the_threshold_fires_and_one_below_does_not()
    {
        Assert.Equal([(1000L, 0, 128)], Run(Settings(), [128, 0, 127, 0]));
        Assert.Empty(Run(Settings(), [127, 0, 128, 0]));   // label 2 is _unknown_: never fires, however high
    }

    [Fact]
    public void Smoothing_averages_the_last_inferences_and_counts_only_those_seen_at_the_start()
    {
        // Averages 200, (200+40)/2 = 120, (200+40+150)/3 = 130, (40+150+150)/3 = 113.3: fires at 1 and 3.
        var fired = Run(Settings(smoothing: 3), [200, 0, 55, 0], [40, 0, 215, 0], [150, 0, 105, 0], [150, 0, 105, 0]);
        Assert.Equal([(1000L, 0, 200), (3000L, 0, 130)], fired);
    }

    [Fact]
    public void Minimum_count_needs_consecutive_inferences_above_threshold()
    {
        int[] high = [200, 0, 55, 0], low = [10, 0, 245, 0];
        Assert.Equal([3000L], Run(Settings(minCount: 3), high, high, high, low, high, high, low).Select(f => f.Time));
    }

    [Fact]
    public void Refractory_time_suppresses_events_until_it_has_passed()
    {
        int[] high = [200, 0, 55, 0];
        // Inference times 1000, 2000, ...: with 2500 samples refractory, events at 1000 and 4000 (3000 - 1000 < 2500).
        Assert.Equal([1000L, 4000L, 7000L], Run(Settings(refractory: 2500), high, high, high, high, high, high, high).Select(f => f.Time));
        Assert.Equal(7, Run(Settings(refractory: 0), high, high, high, high, high, high, high).Count);
    }

    [Fact]
    public void The_highest_smoothed_keyword_wins_and_ties_go_to_the_lower_index()
    {
        Assert.Equal(1, Run(Settings(), [130, 140, 0, 0]).Single().Label);
        Assert.Equal(0, Run(Settings(), [140, 140, 0, 0]).Single().Label);
    }

    [Fact]
    public void Settings_the_C_library_refuses_are_refused_here_too()
    {
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings() with { InferEvery = 0 }, 4));
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings(smoothing: DetectorSettings.MaxSmoothing + 1), 4));
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings(minCount: 0), 4));
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings(refractory: -1), 4));
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings(threshold: 257), 4));
        Assert.Throws<ArgumentException>(() => new KeywordDetector(Settings(), 3));
    }

    [Fact]
    public void Probability_thresholds_round_up_so_the_stated_probability_is_the_minimum()
    {
        Assert.Equal(205, DetectorSettings.FromProbability(0.8));   // 204/256 = 0.797 < 0.8 <= 205/256
        Assert.Equal(128, DetectorSettings.FromProbability(0.5));
        Assert.Equal(1, DetectorSettings.FromProbability(0.0001));
        Assert.Equal(256, DetectorSettings.FromProbability(1));
    }

    [Fact]
    public void Settings_survive_the_model_package_and_old_packages_get_the_defaults()
    {
        var package = TestGraphs.Package(21);
        var tuned = package.WithDetector(package.Detector with { InferEvery = 7, Smoothing = 2, MinCount = 2, Thresholds = [10, 20, 256] });
        var loaded = ModelPackage.Parse(tuned.ToBytes(), "test.hark");
        Assert.Equal(tuned.Detector, loaded.Detector);
        Assert.Equal(DetectorSettings.Default(package.Labels), package.Detector);
        Assert.Throws<ArgumentException>(() => package.WithDetector(package.Detector with { Thresholds = [1, 2] }));
    }

    // ---- the streaming pipeline -----------------------------------------------------------------------------

    private static short[] TestAudio(int seconds, int seed)
    {
        var random = DeterministicRandom.For(seed, "stream-audio");
        var audio = new short[seconds * 16000];
        for (int i = 0; i < audio.Length; i++)
        {
            bool burst = i / 6000 % 3 != 0;
            int period = 10 + i / 6000 % 9 * 4;
            int v = random.NextInt(-800, 801) + (burst ? (i / period % 2 == 0 ? 20000 : -20000) : 0);
            audio[i] = (short)Math.Clamp(v, short.MinValue, short.MaxValue);
        }
        return audio;
    }

    [Fact]
    public void Chunk_sizes_never_change_the_events_or_the_counters()
    {
        var package = TestGraphs.Package(22);
        var settings = package.Detector with { Thresholds = [100, 100, 100], RefractorySamples = 3000 };
        using var engine = package.CreateEngine();
        short[] audio = TestAudio(20, 1);
        var whole = new List<DetectionEvent>();
        var reference = new KeywordStream(engine, settings);
        reference.Push(audio, whole);
        Assert.True(whole.Count > 5, $"only {whole.Count} events");
        Assert.Equal(audio.Length, reference.SamplesPushed);
        Assert.Equal(1 + (audio.Length - 480) / 320, reference.FramesComputed);
        Assert.Equal(1 + (reference.FramesComputed - 49) / settings.InferEvery, reference.Inferences);

        var random = DeterministicRandom.For(3, "chunks");
        foreach (int maxChunk in new[] { 1, 7, 320, 5000, 40000 })
        {
            var stream = new KeywordStream(engine, settings);
            var events = new List<DetectionEvent>();
            for (int at = 0; at < audio.Length;)
            {
                int n = Math.Min(audio.Length - at, maxChunk == 1 ? 1 : random.NextInt(0, maxChunk + 1));
                stream.Push(audio.AsSpan(at, n), events);
                at += n;
            }
            Assert.Equal(whole, events);
            Assert.Equal(reference.Inferences, stream.Inferences);
            Assert.Equal(reference.LastScores.ToArray(), stream.LastScores.ToArray());
        }
    }

    [Fact]
    public void Every_inference_equals_the_engine_on_that_windows_own_samples()
    {
        var package = TestGraphs.Package(23);
        using var engine = package.CreateEngine();
        using var check = package.CreateEngine();
        var frontEnd = new FrontEnd(package.FrontEnd);
        short[] audio = TestAudio(6, 2);
        var stream = new KeywordStream(engine, package.Detector);
        int compared = 0;
        var features = new float[check.InputLength];
        var input = new sbyte[check.InputLength];
        stream.InferenceObserver = (time, scores) =>
        {
            // The window ends at `time` and spans one clip: 48 strides and one window.
            int start = (int)time - (48 * 320 + 480);
            frontEnd.ComputeClip(audio.AsSpan(start, 16000), features);
            Quantizer.QuantizeValues(features, check.Graph.InputQuantization, input);
            var windowInput = new sbyte[check.InputLength];
            stream.CopyWindow(windowInput);
            Assert.Equal(input, windowInput);
            Assert.Equal(check.RunInt8(input), scores.ToArray());
            compared++;
        };
        stream.Push(audio, new List<DetectionEvent>());
        Assert.Equal(stream.Inferences, compared);
        Assert.True(compared > 30);
    }
}
