using Hark.Audio;
using Hark.Datasets;
using Hark.Engine;
using Hark.Export.C;
using Hark.Features;
using Hark.Streaming;
using Hark.Verification;

namespace Hark.Cli.Commands;

/// <summary>A stream the demo scored the final model on.</summary>
internal sealed record DemoStream(string Name, string Directory, StreamScore Score);

/// <summary>What the device half of the demo made: calibrated thresholds, the C library, its checks, stream scores.</summary>
internal sealed record DemoDeviceResult(
    CalibrationResult Calibration, string CalibrationStream, CLibraryExport Library,
    IReadOnlyList<TargetVerification> Verified, string? VerifySkipped, IReadOnlyList<DemoStream> Streams);

/// <summary>
/// The demo's path from a trained package to the chip: calibrate the thresholds on a stream of held-out validation
/// speakers, export the C library (measured on the Cortex-M4 when its tools are installed), prove the library equals the
/// reference on test clips (host, and QEMU's Cortex-M4), and score continuous detection on test-speaker streams.
/// </summary>
internal static class DemoDevice
{
    public const double StreamMinutes = 20;
    public const double TargetFalseAlarmsPerHour = 0.5;
    private const int HostClips = 40, M4Clips = 16;

    public static DemoDeviceResult Run(string root, string run, IReadOnlyList<string> keywords, IReadOnlyList<string> synthRoots,
        string? realDir, bool calibrateOnReal, int seed, List<(string, double)> stages, CancellationToken cancel)
    {
        T Stage<T>(string name, Func<T> work) => DemoCommand.Stage(stages, name, work);
        string streams = Path.Combine(root, "streams");
        string Build(string name, IReadOnlyList<string> roots, Split split, int streamSeed)
        {
            string dir = Path.Combine(streams, name);
            // A small demo may hold no other word in a split: the stream then has keywords over noise only.
            bool distractors = DatasetScanner.Scan(roots).ClipsIn(split).Any(c => !keywords.Contains(c.Label) && c.Label != Labels.Silence);
            Stage($"build stream: {name}", () => Ui.WithProgress($"building stream {name}", p => StreamBuilder.Build(new StreamBenchOptions
            {
                DataRoots = roots, Keywords = keywords, Minutes = StreamMinutes, OutputDir = dir, Seed = streamSeed,
                Splits = [split], Force = true, DistractorsPerMinute = distractors ? StreamBenchOptions.DefaultDistractorsPerMinute : 0,
            }, p, cancel)));
            return dir;
        }

        // Validation speakers for the thresholds, test speakers for the scores: never the same voices.
        var calibrationRoots = calibrateOnReal ? new[] { realDir! } : synthRoots;
        string calibrationDir = Build(calibrateOnReal ? "calibration-real-validation" : "calibration-synthetic-validation",
            calibrationRoots, Split.Validation, seed + 100);
        var package = ModelPackage.Load(run);
        var calibration = Stage("calibrate thresholds", () =>
        {
            var recorded = Ui.WithProgress("calibrating", p => StreamEvaluator.Run(package, calibrationDir, p, cancel));
            return Calibrator.Calibrate(recorded.Trace, recorded.Settings, recorded.Truth, TargetFalseAlarmsPerHour);
        });
        package = package.WithDetector(calibration.Settings);
        package.Save(ModelPackage.Resolve(run));

        var library = Stage("export the C library", () => Ui.WithProgress("exporting the C library", _ =>
            CLibraryExporter.Export(package, Path.Combine(root, "c-library"), force: true)));

        var clips = TestClips(synthRoots, realDir);
        var verified = new List<TargetVerification>();
        string? skipped = CLibraryExporter.MissingTools();
        TargetVerification Check(CTarget target, int count)
        {
            string scratch = Path.Combine(Path.GetTempPath(), $"hark-demo-verify-{Guid.NewGuid():N}");
            try { return LibraryVerifier.Verify(package, clips.Take(count).ToList(), target, scratch); }
            finally { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
        }
        if (NativeTools.Find(NativeTools.HostCompiler) is not null)
            verified.Add(Stage("verify on the host", () => Ui.WithProgress("verifying the C library (host)", _ => Check(CTarget.Host, HostClips))));
        if (skipped is null)
            verified.Add(Stage("verify on the Cortex-M4", () => Ui.WithProgress("verifying the C library (Cortex-M4, QEMU)", _ => Check(CTarget.CortexM4, M4Clips))));

        var scored = new List<DemoStream>();
        void Score(string name, IReadOnlyList<string> roots, int streamSeed)
        {
            string dir = Build(name, roots, Split.Test, streamSeed);
            var result = Stage($"stream-eval: {name}", () => Ui.WithProgress($"scoring stream {name}", p =>
                StreamEvaluator.Score(StreamEvaluator.Run(package, dir, p, cancel), EventMatcher.DefaultToleranceSeconds)));
            scored.Add(new DemoStream(name, dir, result));
        }
        Score("test-synthetic", synthRoots, seed + 200);
        if (realDir is not null) Score("test-real", [realDir], seed + 300);
        return new DemoDeviceResult(calibration, calibrationDir, library, verified, skipped, scored);
    }

    /// <summary>Test-split clips spread over every label, synthetic and real (when present) taking turns.</summary>
    private static List<VerifyClip> TestClips(IReadOnlyList<string> synthRoots, string? realDir)
    {
        List<LabeledClip> Spread(IReadOnlyList<string> roots, int count)
        {
            var test = DatasetScanner.Scan(roots).ClipsIn(Split.Test).OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
            return test.Count <= count ? test : Enumerable.Range(0, count).Select(i => test[i * test.Count / count]).ToList();
        }
        var synthetic = Spread(synthRoots, realDir is null ? HostClips : HostClips / 2);
        var real = realDir is null ? [] : Spread([realDir], HostClips / 2);
        var chosen = Enumerable.Range(0, Math.Max(synthetic.Count, real.Count))
            .SelectMany(i => new[] { i < synthetic.Count ? synthetic[i] : null, i < real.Count ? real[i] : null })
            .OfType<LabeledClip>();
        return chosen.Select(clip =>
        {
            var audio = WavReader.ReadPipeline(clip.Path);
            var samples = new short[audio.Samples.Length];
            FrontEnd.Quantize(audio.Samples, samples);
            return new VerifyClip(clip.Path, samples);
        }).ToList();
    }
}
