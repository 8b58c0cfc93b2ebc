using System.Text.Json;
using Hark.Audio;
using Hark.Engine;
using Hark.Features;
using Hark.Verification;

namespace Hark.Tests.Cli;

/// <summary>
/// The commands of the device end of the pipeline as a user runs them: export --format c, verify, detect, listen.
/// Their JSON shapes are what scripts and checks rely on; bad input gives one line and exit 1, a bad command line
/// exit 2; none of them loads TorchSharp. The model is a full-size DS-CNN-S with random weights (no training).
/// </summary>
public class DeviceCommandsTests
{
    private static readonly Lazy<(string Run, string Data)> Fixture = new(() =>
    {
        string root = TestPaths.NewTempDir("device-cli");
        string run = Path.Combine(root, "run");
        Directory.CreateDirectory(run);
        var package = new ModelPackage(DsCnnGraphs.Quantized(5, 4), FrontEndConfig.Default, ["yes", "no", "_unknown_", "_silence_"],
            new PackageMetadata("dscnn-s", "0.0", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, null, null, 20));
        package.WithDetector(package.Detector with { Thresholds = [60, 60, 0, 0] }).Save(Path.Combine(run, ModelPackage.FileName));
        // A folder-per-label dataset of generated clips, plus one file that is not a WAV.
        string data = Path.Combine(root, "data");
        var random = DeterministicRandom.For(1, "device-cli");
        foreach (string label in new[] { "yes", "no", "other" })
        {
            Directory.CreateDirectory(Path.Combine(data, label));
            for (int i = 0; i < 3; i++)
            {
                var samples = Enumerable.Range(0, 16000).Select(t => (float)(0.3 * Math.Sin(t * (0.05 + 0.02 * i + 0.1 * label.Length)) + 0.05 * random.NextGaussian())).ToArray();
                WavWriter.WritePcm16(Path.Combine(data, label, $"s{i}_nohash_0.wav"), samples, 16000);
            }
        }
        File.WriteAllText(Path.Combine(data, "yes", "broken_nohash_0.wav"), "not a wav");
        return (run, data);
    });

    private static string Run => Fixture.Value.Run;
    private static string Data => Fixture.Value.Data;

    private static readonly Dictionary<string, string> TraceAssemblies = new() { ["HARK_TRACE_ASSEMBLIES"] = "1" };

    [SkippableFact]
    public void Verify_on_the_host_prints_clips_and_zero_mismatches_and_lists_the_unreadable_file()
    {
        Skip.If(NativeTools.Find(NativeTools.HostCompiler) is null, "gcc not installed");
        var r = HarkCli.Run(["verify", "--model", Run, "--data", Data, "--target", "host", "--json"], environment: TraceAssemblies);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(9, json.RootElement.GetProperty("clips").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("mismatches").GetInt32());
        var unreadable = json.RootElement.GetProperty("unreadable").EnumerateArray().ToList();
        Assert.Single(unreadable);
        Assert.EndsWith("broken_nohash_0.wav", unreadable[0].GetProperty("path").GetString());
        Assert.True(json.RootElement.GetProperty("targets")[0].GetProperty("stream").GetProperty("identical").GetBoolean());
        Assert.DoesNotContain("TorchSharp", r.Stderr);
    }

    [SkippableFact]
    public void Verify_on_the_Cortex_M4_reports_flash_ram_and_instructions()
    {
        Skip.If(CLibraryExporterMissing(), "arm-none-eabi-gcc or qemu-system-arm not installed");
        var r = HarkCli.Run("verify", "--model", Run, "--data", Data, "--target", "cortex-m4", "--limit", "4", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("clips").GetInt32());
        Assert.Equal(0, root.GetProperty("mismatches").GetInt32());
        Assert.InRange(root.GetProperty("flash_bytes").GetInt32(), 30_000, 80_000);
        Assert.InRange(root.GetProperty("ram_bytes").GetInt32(), 16_000, 40_000);
        Assert.InRange(root.GetProperty("instructions_per_inference").GetInt64(), 1_330_000, 60_000_000);
    }

    private static bool CLibraryExporterMissing() => Hark.Export.C.CLibraryExporter.MissingTools() is not null;

    [Fact]
    public void Export_c_writes_the_library_layout_and_its_report_without_loading_TorchSharp()
    {
        string lib = Path.Combine(TestPaths.NewTempDir("device-export"), "lib");
        var r = HarkCli.Run(["export", "--model", Run, "--format", "c", "--out", lib, "--json"], environment: TraceAssemblies);
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        foreach (string file in new[] { "src/hark_kws.h", "src/hark_model.c", "CMakeLists.txt", "README.md", "examples/nucleo-l476rg/main.c" })
            Assert.True(File.Exists(Path.Combine(lib, file)), file);
        Assert.Equal(4, json.RootElement.GetProperty("labels").GetArrayLength());
        bool measured = json.RootElement.TryGetProperty("cortex_m4", out var m4);
        Assert.True(measured || json.RootElement.TryGetProperty("cortex_m4_not_measured", out _));
        if (measured) Assert.True(m4.GetProperty("instructions_per_inference").GetInt64() > 1_000_000);
        Assert.DoesNotContain("TorchSharp", r.Stderr);
        Assert.DoesNotContain("Hark.Training", r.Stderr);

        var again = HarkCli.Run("export", "--model", Run, "--format", "arduino", "--out", Path.Combine(lib, "..", "hark.zip"));
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.True(File.Exists(Path.Combine(lib, "..", "hark.zip")));
    }

    [Fact]
    public void Detect_prints_a_JSON_array_of_label_time_and_score()
    {
        string wav = Path.Combine(TestPaths.NewTempDir("device-detect"), "long.wav");
        var clips = Directory.GetFiles(Data, "s*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(f => WavReader.Read(f).Samples).ToArray();
        WavWriter.WritePcm16(wav, clips, 16000);
        var r = HarkCli.Run("detect", "--model", Run, wav, "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = JsonDocument.Parse(r.Stdout);
        Assert.Equal(JsonValueKind.Array, json.RootElement.ValueKind);
        Assert.True(json.RootElement.GetArrayLength() > 0, "the random model fires on these clips");
        foreach (var e in json.RootElement.EnumerateArray())
        {
            Assert.Contains(e.GetProperty("label").GetString(), new[] { "yes", "no" });
            Assert.InRange(e.GetProperty("time_s").GetDouble(), 0.99, clips.Length / 16000.0);
            Assert.InRange(e.GetProperty("score").GetDouble(), 60 / 256.0, 1.0);
        }
        // Same audio as raw PCM on standard input: listen reports the same detections, one JSON line each.
        var pcm = new byte[clips.Length * 2];
        for (int i = 0; i < clips.Length; i++) BitConverter.TryWriteBytes(pcm.AsSpan(2 * i), WavWriter.ToPcm16(clips[i]));
        var listen = HarkCli.Run(["listen", "--model", Run, "--json", "--quiet"], stdin: pcm);
        Assert.True(listen.ExitCode == 0, listen.Stderr);
        var lines = listen.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(json.RootElement.GetArrayLength(), lines.Length - 1);
        for (int i = 0; i < lines.Length - 1; i++)
        {
            using var line = JsonDocument.Parse(lines[i]);
            Assert.Equal(json.RootElement[i].GetProperty("label").GetString(), line.RootElement.GetProperty("label").GetString());
            Assert.Equal(json.RootElement[i].GetProperty("time_s").GetDouble(), line.RootElement.GetProperty("time_s").GetDouble(), 3);
        }
        using var summary = JsonDocument.Parse(lines[^1]);
        Assert.Equal(clips.Length / 16000.0, summary.RootElement.GetProperty("summary").GetProperty("audio_seconds").GetDouble(), 3);
        Assert.Contains("of one core", listen.Stderr);
    }

    [Fact]
    public void Listen_reads_a_WAV_stream_on_standard_input_and_refuses_the_wrong_format()
    {
        string dir = TestPaths.NewTempDir("device-listen");
        string wrongRate = Path.Combine(dir, "x.wav");
        WavWriter.WritePcm16(wrongRate, new float[8000], 8000);
        var r = HarkCli.Run(["listen", "--model", Run, "--quiet"], stdin: File.ReadAllBytes(wrongRate));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("8000 Hz", r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("hark: error:"));

        string good = Path.Combine(dir, "y.wav");
        WavWriter.WritePcm16(good, new float[32000], 16000);
        var ok = HarkCli.Run(["listen", "--model", Run, "--quiet"], stdin: File.ReadAllBytes(good));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("2.0 s of audio", ok.Stderr);
    }

    [Fact]
    public void Bad_input_gives_one_line_and_exit_1_and_a_bad_command_line_exit_2()
    {
        var missing = HarkCli.Run("detect", "--model", Run, Path.Combine(Data, "yes", "broken_nohash_0.wav"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("broken_nohash_0.wav", missing.Stderr);
        Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var noModel = HarkCli.Run("verify", "--model", Path.Combine(Data, "nope"), "--data", Data);
        Assert.Equal(1, noModel.ExitCode);
        Assert.Contains("nope", noModel.Stderr);

        Assert.Equal(2, HarkCli.Run("verify", "--model", Run, "--data", Data, "--target", "z80").ExitCode);
        Assert.Equal(2, HarkCli.Run("detect", "--model", Run, "x.wav", "--threshold", "1.5").ExitCode);
        Assert.Equal(2, HarkCli.Run("export", "--model", Run, "--format", "c").ExitCode);
    }
}
