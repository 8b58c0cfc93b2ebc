using System.Text.Json;

namespace Hark.Tests.Cli;

public class DemoCommandTests
{
    private static bool SynthesizersInstalled =>
        File.Exists("/usr/bin/espeak-ng") && File.Exists("/usr/bin/flite");

    [SkippableFact]
    public void A_small_demo_runs_every_stage_and_reports_what_it_made()
    {
        Skip.IfNot(SynthesizersInstalled, "espeak-ng and flite are not installed (./test.sh installs them)");
        string work = TestPaths.NewTempDir("demo");
        string output = Path.Combine(work, "demo");

        // Real speech is scored when the development set is at hand, as on a developer's machine; users without it
        // get the same demo minus that line.
        bool real = Directory.Exists(TestPaths.SpeechCommandsDev);
        var r = HarkCli.Run(["demo", "--out", output, "--per-class", "60", "--epochs", "2", "--json"], workingDirectory: work,
                            environment: new Dictionary<string, string> { ["HARK_SPEECH_COMMANDS_DEV"] = TestPaths.SpeechCommandsDev },
                            timeout: TimeSpan.FromMinutes(10));

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var summary = JsonDocument.Parse(r.Stdout);
        var root = summary.RootElement;
        Assert.Equal(["yes", "no", "_unknown_", "_silence_"], root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));
        Assert.InRange(root.GetProperty("synthetic_test_accuracy").GetDouble(), 0, 1);
        Assert.Equal(real, root.TryGetProperty("real_speech", out var realSpeech));
        if (real) Assert.InRange(realSpeech.GetProperty("clips").GetInt32(), 1000, 5000);
        Assert.InRange(root.GetProperty("synthetic_test_accuracy_int8").GetDouble(), 0, 1);
        // The unknown class is twice a keyword class, drawn from a large pool without homophones of the keywords.
        var train = root.GetProperty("curated_counts").GetProperty("train");
        Assert.Equal(120, train.GetProperty("_unknown_").GetInt32());
        Assert.Equal(60, train.GetProperty("yes").GetInt32());
        var near = root.GetProperty("near_words").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("go", near);
        Assert.Contains("yet", near);
        Assert.InRange(root.GetProperty("unknown_words").GetInt32(), 150, 400);
        Assert.False(Directory.Exists(Path.Combine(output, "synth-other", "know")), "'know' sounds like 'no' and must not be an unknown word");
        Assert.True(Directory.Exists(Path.Combine(output, "synth-other", "house")));
        foreach (string file in new[] { "run/model.json", "run/weights.dat", "run/metrics.json", "run/curves.png",
                                        "curated/curation.json", "demo.json", "c-library/src/hark_kws.h", "c-library/src/hark_model.c",
                                        "streams/test-synthetic/stream.wav", "streams/test-synthetic/truth.json" })
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing");

        // The device half: calibrated thresholds in the package and the library, the library proved equal to the
        // reference, continuous detection scored on test-speaker streams.
        var thresholds = root.GetProperty("thresholds").EnumerateArray().ToList();
        Assert.Equal(["yes", "no"], thresholds.Select(t => t.GetProperty("label").GetString()));
        foreach (var t in thresholds)
        {
            int value = t.GetProperty("threshold").GetInt32();
            Assert.InRange(value, 1, 256);
            Assert.Contains($"{value}", File.ReadAllText(Path.Combine(output, "c-library", "src", "hark_model.c")).Split("hark_model_thresholds")[1].Split(';')[0]);
        }
        var verified = root.GetProperty("verified").EnumerateArray().ToList();
        Assert.Contains(verified, v => v.GetProperty("target").GetString() == "host");
        Assert.All(verified, v =>
        {
            Assert.Equal(0, v.GetProperty("mismatches").GetInt32());
            Assert.True(v.GetProperty("stream_identical").GetBoolean());
        });
        var streams = root.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(real ? 2 : 1, streams.Count);
        Assert.All(streams, st => Assert.InRange(st.GetProperty("recall").GetDouble(), 0, 1));

        // The demo's model evaluates like any other run.
        string png = Path.Combine(work, "eval.png");
        var eval = HarkCli.Run("eval", "--model", Path.Combine(output, "run"), "--data", Path.Combine(output, "curated"),
                               "--json", "--png", png);
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var report = JsonDocument.Parse(eval.Stdout);
        var e = report.RootElement;
        Assert.Equal("test", e.GetProperty("split").GetString());
        int clips = e.GetProperty("clips").GetInt32();
        var confusion = e.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        Assert.Equal(4, confusion.Length);
        Assert.Equal(clips, confusion.Sum(r => r.Sum()));
        double diagonal = Enumerable.Range(0, 4).Sum(i => confusion[i][i]);
        Assert.Equal(diagonal / clips, e.GetProperty("accuracy").GetDouble(), 9);
        Assert.True(new FileInfo(png).Length > 1000);

        // The int8 package scores on the managed engine without loading TorchSharp at all.
        Assert.True(File.Exists(Path.Combine(output, "run", "model.hark")));
        var int8 = HarkCli.Run(["eval", "--model", Path.Combine(output, "run"), "--data", Path.Combine(output, "curated"),
                                "--int8", "--json", "--png", png],
                               environment: new Dictionary<string, string> { ["HARK_TRACE_ASSEMBLIES"] = "1" });
        Assert.True(int8.ExitCode == 0, int8.Stderr);
        using var int8Report = JsonDocument.Parse(int8.Stdout);
        Assert.True(int8Report.RootElement.GetProperty("int8").GetBoolean());
        Assert.Equal(clips, int8Report.RootElement.GetProperty("clips").GetInt32());
        Assert.DoesNotContain("TorchSharp", int8.Stderr);

        string exported = Path.Combine(work, "export");
        var export = HarkCli.Run("export", "--model", Path.Combine(output, "run"), "--format", "onnx", "--out", exported, "--json");
        Assert.True(export.ExitCode == 0, export.Stderr);
        using var exportReport = JsonDocument.Parse(export.Stdout);
        Assert.InRange(exportReport.RootElement.GetProperty("macs").GetInt64(), 2_000_000, 3_000_000);
        foreach (string name in new[] { "model.onnx", "model.qdq.onnx", "model.int8.onnx" })
            Assert.True(new FileInfo(Path.Combine(exported, name)).Length > 10_000, $"{name} missing or tiny");

        string tflite = Path.Combine(work, "kws.tflite");
        var toTflite = HarkCli.Run("export", "--model", Path.Combine(output, "run"), "--format", "tflite", "--out", tflite);
        Assert.True(toTflite.ExitCode == 0, toTflite.Stderr);
        Assert.Equal("TFL3", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(tflite), 4, 4));
        Assert.InRange(new FileInfo(tflite).Length, 20_000, 53_936);

        var sc12 = HarkCli.Run("eval", "--model", Path.Combine(output, "run"), "--data", Path.Combine(output, "curated"),
                               "--protocol", "sc12", "--png", png);
        Assert.Equal(1, sc12.ExitCode);
        Assert.Contains("sc12 protocol needs a model trained on exactly", sc12.Stderr);

        // A second demo replaces the first; a folder that is not a demo is refused.
        string other = Path.Combine(work, "precious");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "notes.txt"), "keep me");
        var refused = HarkCli.Run("demo", "--out", other);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("not a previous demo", refused.Stderr);
        Assert.True(File.Exists(Path.Combine(other, "notes.txt")));
    }

    [SkippableFact]
    public void With_train_real_the_real_training_speakers_join_training_and_only_held_out_speakers_are_scored()
    {
        Skip.IfNot(SynthesizersInstalled, "espeak-ng and flite are not installed (./test.sh installs them)");
        Skip.IfNot(Directory.Exists(TestPaths.SpeechCommandsDev), $"real speech not found at {TestPaths.SpeechCommandsDev}");
        string work = TestPaths.NewTempDir("demo-real");
        string output = Path.Combine(work, "demo");

        var r = HarkCli.Run(["demo", "--out", output, "--per-class", "60", "--epochs", "1", "--train-real",
                             "--real-data", TestPaths.SpeechCommandsDev, "--json"], workingDirectory: work, timeout: TimeSpan.FromMinutes(10));

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var summary = JsonDocument.Parse(r.Stdout);
        var real = summary.RootElement.GetProperty("real_speech");
        Assert.Equal("test", real.GetProperty("split").GetString());
        int scored = real.GetProperty("clips").GetInt32();
        Assert.InRange(scored, 100, 600);

        Assert.True(summary.RootElement.TryGetProperty("real_speech_synthetic_only", out _));
        Assert.EndsWith("run-real", summary.RootElement.GetProperty("fine_tuned_run").GetString());
        Assert.True(File.Exists(Path.Combine(output, "run-real", "model.hark")));
        Assert.Equal("run", RunFiles(output, "run-real"));

        // Every scored clip's speaker is absent from the curated training and validation sets (both of them).
        var manifest = new[] { "curated", "curated-real" }
            .SelectMany(c => File.ReadAllLines(Path.Combine(output, c, "manifest.csv")).Skip(1)).Select(l => l.Split(',')).ToList();
        string dev = Path.GetFullPath(TestPaths.SpeechCommandsDev);
        var trained = manifest.Where(m => m[2] != "test" && m[3].StartsWith(dev, StringComparison.Ordinal))
            .Select(m => SpeakerOf(m[3])).ToHashSet();
        Assert.NotEmpty(trained);
        var eval = HarkCli.Run("eval", "--model", Path.Combine(output, "run-real"), "--data", TestPaths.SpeechCommandsDev, "--split", "test",
                               "--json", "--png", Path.Combine(work, "e.png"));
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        using var report = JsonDocument.Parse(eval.Stdout);
        Assert.Equal(scored, report.RootElement.GetProperty("clips").GetInt32());
        var heldOut = Hark.Datasets.DatasetScanner.Scan(TestPaths.SpeechCommandsDev).ClipsIn(Hark.Datasets.Split.Test)
            .Select(c => SpeakerOf(c.Path)).ToHashSet();
        Assert.Empty(heldOut.Intersect(trained));
    }

    /// <summary>The run a fine-tuned run started from, as its model.json records it.</summary>
    private static string RunFiles(string output, string run)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, run, "model.json")));
        return Path.GetFileName(config.RootElement.GetProperty("training").GetProperty("init_from").GetString()!);
    }

    private static string SpeakerOf(string path) => Hark.Datasets.SpeakerNames.HashName(path);
}
