using System.Text.Json;
using Hark.Engine;
using Hark.Streaming;
using Hark.Tests.Cli;
using Hark.Tests.Streaming;

namespace Hark.Tests.Commands;

/// <summary>stream-bench, stream-eval and calibrate as a user runs them: the --json contract, the files, the errors.</summary>
public class StreamCommandsTests
{
    private static readonly Lazy<string> Data = new(() => StreamTestData.Dataset(Path.Combine(TestPaths.NewTempDir("cli-stream"), "data")));

    /// <summary>A 1-minute stream (built in-process) and a run folder holding the tiny test model.</summary>
    private static (string Stream, string Run) StreamAndModel()
    {
        string root = TestPaths.NewTempDir("cli-stream-eval");
        string stream = Path.Combine(root, "stream");
        StreamBuilder.Build(new StreamBenchOptions { DataRoots = [Data.Value], Keywords = ["yes", "no"], Minutes = 1, OutputDir = stream, Seed = 4 });
        string run = Path.Combine(root, "run");
        Directory.CreateDirectory(run);
        StreamTestData.Package().Save(Path.Combine(run, ModelPackage.FileName));
        return (stream, run);
    }

    private static Dictionary<string, string> Fingerprint(string dir) => Directory.GetFiles(dir)
        .ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));

    private static void AssertOneLineError(HarkCli.Result r, int exitCode, params string[] parts)
    {
        Assert.Equal(exitCode, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("hark: error:")).ToList();
        Assert.Single(lines);
        foreach (string part in parts) Assert.Contains(part, lines[0]);
    }

    [Fact]
    public void Stream_bench_writes_the_wav_and_truth_and_reports_them_as_json()
    {
        string output = Path.Combine(TestPaths.NewTempDir("cli-bench"), "s");
        var r = HarkCli.Run("stream-bench", "--data", Data.Value, "--keywords", "yes,no", "--minutes", "1.5", "--out", output,
            "--seed", "3", "--json", "--keywords-per-minute", "4", "--snr-db", "10,10");

        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(90, json.RootElement.GetProperty("duration_s").GetDouble(), 6);
        Assert.Equal(3, json.RootElement.GetProperty("keywords").GetProperty("yes").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("keywords").GetProperty("no").GetInt32());
        var truth = StreamTruth.Load(output);
        Assert.Equal(90 * 16000, truth.Samples);
        Assert.All(truth.Keywords, k => Assert.Equal(10, k.SnrDb ?? 10, 0.3));
        Assert.Equal(44 + 2 * truth.Samples, new FileInfo(Path.Combine(output, StreamTruth.WavFileName)).Length);
    }

    [Fact]
    public void Stream_bench_refuses_bad_requests_with_one_line()
    {
        string root = TestPaths.NewTempDir("cli-bench-bad");
        string existing = Path.Combine(root, "existing");
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "mine.txt"), "keep");

        AssertOneLineError(HarkCli.Run("stream-bench", "--data", Data.Value, "--keywords", "yes,no", "--minutes", "1", "--out", existing),
            1, existing, "not empty");
        Assert.True(File.Exists(Path.Combine(existing, "mine.txt")));
        AssertOneLineError(HarkCli.Run("stream-bench", "--data", Data.Value, "--keywords", "maybe", "--minutes", "1", "--out", Path.Combine(root, "a")),
            1, "'maybe'");
        AssertOneLineError(HarkCli.Run("stream-bench", "--data", Data.Value, "--keywords", "yes", "--minutes", "1", "--out", Path.Combine(root, "b"),
            "--split", "holdout"), 2, "--split", "holdout");
        AssertOneLineError(HarkCli.Run("stream-bench", "--data", Data.Value, "--keywords", "yes", "--out", Path.Combine(root, "c")), 2, "--minutes");
        Assert.Equal(["existing"], Directory.GetFileSystemEntries(root).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public void Stream_eval_reports_recall_and_false_alarms_per_hour_and_draws_the_det_curve()
    {
        var (stream, run) = StreamAndModel();
        var (streamBefore, runBefore) = (Fingerprint(stream), Fingerprint(run));
        string png = Path.Combine(TestPaths.NewTempDir("cli-det"), "det.png");
        var r = HarkCli.Run("stream-eval", "--model", run, "--stream", stream, "--json", "--png", png);

        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        // The command's numbers are the matcher's on the package's own events.
        var package = ModelPackage.Load(run);
        var expected = StreamEvaluator.Score(StreamEvaluator.Run(package, stream), 1.0);
        Assert.Equal(expected.Recall!.Value, root.GetProperty("recall").GetDouble(), 9);
        Assert.Equal(expected.FalseAlarmsPerHour, root.GetProperty("false_alarms_per_hour").GetDouble(), 9);
        Assert.Equal(expected.Truths, root.GetProperty("truths").GetInt32());
        var perKeyword = root.GetProperty("per_keyword").EnumerateArray().ToList();
        Assert.Equal(["yes", "no"], perKeyword.Select(k => k.GetProperty("label").GetString()!).ToArray());
        Assert.All(perKeyword, k => Assert.Equal(205, k.GetProperty("threshold").GetInt32()));
        Assert.Equal(256, root.GetProperty("det").EnumerateArray().First().GetProperty("points").GetArrayLength());
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        Assert.Equal(streamBefore, Fingerprint(stream));
        Assert.Equal(runBefore, Fingerprint(run));
    }

    [Fact]
    public void Stream_eval_names_the_broken_file()
    {
        var (stream, run) = StreamAndModel();
        string wav = Path.Combine(stream, StreamTruth.WavFileName), truth = Path.Combine(stream, StreamTruth.FileName);
        string png = Path.Combine(TestPaths.NewTempDir("cli-det"), "det.png");
        string[] Args(string s) => ["stream-eval", "--model", run, "--stream", s, "--png", png];

        string noTruth = Path.Combine(TestPaths.NewTempDir("cli-no-truth"), "s");
        Directory.CreateDirectory(noTruth);
        File.Copy(wav, Path.Combine(noTruth, StreamTruth.WavFileName));
        AssertOneLineError(HarkCli.Run(Args(noTruth)), 1, Path.Combine(noTruth, StreamTruth.FileName), "no truth.json");

        string corrupt = Path.Combine(TestPaths.NewTempDir("cli-corrupt"), "s");
        Directory.CreateDirectory(corrupt);
        File.Copy(truth, Path.Combine(corrupt, StreamTruth.FileName));
        File.WriteAllBytes(Path.Combine(corrupt, StreamTruth.WavFileName), [.. "RIFF\x10\0\0\0WAVEjunk"u8.ToArray(), 1, 2, 3]);
        AssertOneLineError(HarkCli.Run(Args(corrupt)), 1, Path.Combine(corrupt, StreamTruth.WavFileName));

        string cut = Path.Combine(TestPaths.NewTempDir("cli-cut"), "s");
        Directory.CreateDirectory(cut);
        File.Copy(truth, Path.Combine(cut, StreamTruth.FileName));
        var audio = Hark.Audio.WavReader.Read(wav);
        Hark.Audio.WavWriter.WritePcm16(Path.Combine(cut, StreamTruth.WavFileName), audio.Samples.AsSpan(0, 16000 * 20), 16000);
        AssertOneLineError(HarkCli.Run(Args(cut)), 1, Path.Combine(cut, StreamTruth.WavFileName), "truth.json says");

        string badTruth = Path.Combine(TestPaths.NewTempDir("cli-bad-truth"), "s");
        Directory.CreateDirectory(badTruth);
        File.Copy(wav, Path.Combine(badTruth, StreamTruth.WavFileName));
        File.WriteAllText(Path.Combine(badTruth, StreamTruth.FileName), "{\"format\": 1, \"sample_rate\": ");
        AssertOneLineError(HarkCli.Run(Args(badTruth)), 1, Path.Combine(badTruth, StreamTruth.FileName), "not a stream truth file");

        AssertOneLineError(HarkCli.Run(["stream-eval", "--model", Path.Combine(run, "nothing"), "--stream", stream, "--png", png]), 1, "nothing");
        Assert.False(File.Exists(png));
    }

    [Fact]
    public void Calibrate_stores_the_thresholds_it_reports_and_changes_nothing_else()
    {
        var (stream, run) = StreamAndModel();
        string packagePath = Path.Combine(run, ModelPackage.FileName);
        var before = ModelPackage.Load(run);
        byte[] original = File.ReadAllBytes(packagePath);
        var streamFiles = Fingerprint(stream);

        var dry = HarkCli.Run("calibrate", "--model", run, "--stream", stream, "--target-fa-per-hour", "30", "--dry-run", "--json");
        Assert.Equal(0, dry.ExitCode);
        Assert.Equal(original, File.ReadAllBytes(packagePath));

        var r = HarkCli.Run("calibrate", "--model", run, "--stream", stream, "--target-fa-per-hour", "30", "--json");
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(dry.Stdout.Replace("\"saved\": false", "\"saved\": true"), r.Stdout);
        var reported = json.RootElement.GetProperty("thresholds").EnumerateArray()
            .ToDictionary(t => t.GetProperty("label").GetString()!, t => t.GetProperty("after").GetInt32());
        var after = ModelPackage.Load(run);
        Assert.Equal(reported["yes"], after.Detector.Thresholds[0]);
        Assert.Equal(reported["no"], after.Detector.Thresholds[1]);
        Assert.Equal(0, after.Detector.Thresholds[2]);
        Assert.True(json.RootElement.GetProperty("false_alarms_per_hour").GetDouble() <= 30);
        // Everything but the detector section is byte for byte what it was.
        Assert.Equal(before.WithDetector(after.Detector).ToBytes(), File.ReadAllBytes(packagePath));
        Assert.Equal(streamFiles, Fingerprint(stream));
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));

        // stream-eval now runs at the stored thresholds.
        var eval = HarkCli.Run("stream-eval", "--model", run, "--stream", stream, "--json", "--png", Path.Combine(TestPaths.NewTempDir("cli-det"), "d.png"));
        using var evalJson = JsonDocument.Parse(eval.Stdout);
        Assert.Equal(json.RootElement.GetProperty("false_alarms_per_hour").GetDouble(), evalJson.RootElement.GetProperty("false_alarms_per_hour").GetDouble(), 9);
        Assert.Equal(json.RootElement.GetProperty("recall").GetDouble(), evalJson.RootElement.GetProperty("recall").GetDouble(), 9);
    }

    [Fact]
    public void Calibrate_search_stores_the_smoothing_and_minimum_count_it_chose()
    {
        var (stream, run) = StreamAndModel();
        var r = HarkCli.Run("calibrate", "--model", run, "--stream", stream, "--target-fa-per-hour", "30", "--search", "--json");

        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        var search = json.RootElement.GetProperty("search").EnumerateArray().ToList();
        Assert.Equal(8 * 3, search.Count);
        var stored = ModelPackage.Load(run).Detector;
        Assert.Equal(search[0].GetProperty("smoothing").GetInt32(), stored.Smoothing);
        Assert.Equal(search[0].GetProperty("min_count").GetInt32(), stored.MinCount);
        Assert.Equal(search[0].GetProperty("recall").GetDouble(), json.RootElement.GetProperty("recall").GetDouble(), 9);
        Assert.Equal(search.Max(c => c.GetProperty("recall").GetDouble()), search[0].GetProperty("recall").GetDouble(), 9);
    }

    [Fact]
    public void Calibrate_help_warns_against_calibrating_on_the_reported_stream_and_commands_follow_verify()
    {
        var help = HarkCli.Run("calibrate", "--help");
        Assert.Contains("must not be the stream you report", string.Join(" ", help.Stdout.Split((char[])['\n', ' '], StringSplitOptions.RemoveEmptyEntries)));
        string all = HarkCli.Run("--help").Stdout;
        int verify = all.IndexOf(" verify ", StringComparison.Ordinal), bench = all.IndexOf(" stream-bench ", StringComparison.Ordinal);
        int eval = all.IndexOf(" stream-eval ", StringComparison.Ordinal), calibrate = all.IndexOf(" calibrate ", StringComparison.Ordinal);
        Assert.True(verify > 0 && verify < bench && bench < eval && eval < calibrate, all);
    }
}
