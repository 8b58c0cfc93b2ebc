using BenchmarkDotNet.Attributes;
using Hark.Curation;

namespace Hark.Bench;

/// <summary>
/// Target: curating 4 classes x 1,500 training clips (yes, no, _unknown_, _silence_), noise mixed into each, from
/// the real dev data (../shared/data/speech-commands-dev or HARK_SPEECH_COMMANDS_DEV) in under 10 s wall time on
/// a 2-core machine. The dev data has ~150 clips per keyword, so this also measures oversampling.
/// Run: dotnet run -c Release --project bench/Hark.Bench -- --filter '*Curation*'
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class CurationBenchmarks
{
    private string _data = "";
    private string _scratch = "";
    private int _run;

    [GlobalSetup]
    public void Setup()
    {
        _data = Environment.GetEnvironmentVariable("HARK_SPEECH_COMMANDS_DEV") ?? FindDevData();
        if (!Directory.Exists(_data))
            throw new InvalidOperationException($"{_data}: dev data not found (set HARK_SPEECH_COMMANDS_DEV)");
        _scratch = Path.Combine(Path.GetTempPath(), $"hark-bench-curate-{Environment.ProcessId}");
        Directory.CreateDirectory(_scratch);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_scratch, recursive: true);

    [Benchmark]
    public CurationSummary Curate4x1500() => Curator.Run(new CurationOptions
    {
        DataRoots = [_data],
        Keywords = ["yes", "no"],
        PerClass = 1500,
        NoiseProbability = 1.0,
        OutputDir = Path.Combine(_scratch, $"out{_run++}"),
        Seed = 1,
    });

    private static string FindDevData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "speech-commands-dev");
            if (Directory.Exists(candidate)) return candidate;
        }
        return "speech-commands-dev";
    }
}
