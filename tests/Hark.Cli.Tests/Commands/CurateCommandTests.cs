using System.Diagnostics;
using System.Text.Json;
using Hark.Audio;

namespace Hark.Tests.Commands;

/// <summary>Runs the built CLI as a user would, to check the command line, exit codes and the --json contract.</summary>
public class CurateCommandTests
{
    private static (int ExitCode, string Out, string Err) Hark(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "hark.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    private static string WriteData()
    {
        string root = Path.Combine(TestPaths.NewTempDir("cli-curate"), "data");
        int variant = 0;
        foreach (string word in new[] { "yes", "no", "cat" })
            for (int s = 0; s < 20; s++)
            {
                Directory.CreateDirectory(Path.Combine(root, word));
                var samples = new float[12000];
                double frequency = 300 + 10 * variant++;
                for (int i = 0; i < samples.Length; i++) samples[i] = (float)(0.2 * Math.Sin(2 * Math.PI * frequency * i / 16000));
                WavWriter.WritePcm16(Path.Combine(root, word, $"spk{s:D3}_nohash_0.wav"), samples, 16000);
            }
        return root;
    }

    [Fact]
    public void Json_output_reports_counts_per_split_and_class()
    {
        string data = WriteData(), output = Path.Combine(TestPaths.NewTempDir("cli-curate-out"), "out");

        var (code, stdout, stderr) = Hark("curate", "--data", data, "--keywords", "yes,no", "--per-class", "12",
            "--out", output, "--seed", "5", "--snr-db", "10,15", "--word-volume", "0.8", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var train = json.RootElement.GetProperty("counts").GetProperty("train");
        foreach (string label in new[] { "yes", "no", "_unknown_", "_silence_" })
            Assert.Equal(12, train.GetProperty(label).GetInt32());
        Assert.True(json.RootElement.GetProperty("seconds").GetDouble() >= 0);
        Assert.True(File.Exists(Path.Combine(output, "manifest.csv")));
    }

    [Fact]
    public void A_missing_data_folder_is_one_line_naming_it_with_exit_code_1()
    {
        string missing = Path.Combine(TestPaths.NewTempDir("cli-curate-missing"), "nope");

        var (code, _, stderr) = Hark("curate", "--data", missing, "--keywords", "yes", "--per-class", "5",
            "--out", Path.Combine(TestPaths.NewTempDir("cli-curate-out"), "out"));

        Assert.Equal(1, code);
        Assert.Contains(missing, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_bad_snr_range_is_a_usage_error()
    {
        var (code, _, stderr) = Hark("curate", "--data", "x", "--keywords", "yes", "--per-class", "5", "--out", "y",
            "--snr-db", "20,5");

        Assert.Equal(2, code);
        Assert.Contains("--snr-db", stderr);
    }
}
