using System.ComponentModel;
using System.Diagnostics;
using Hark.Curation;
using Hark.Datasets;
using Hark.Engine;
using Hark.Export.C;
using Hark.Evaluation;
using Hark.Features;
using Hark.Synthesis;
using Hark.Training;
using Hark.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class DemoSettings : JsonSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Where the demo writes its datasets and model. Default ./hark-demo; a previous demo there is replaced.")]
    public string Out { get; init; } = "hark-demo";

    [CommandOption("--keywords <WORDS>")]
    [Description("Comma-separated keywords. Default yes,no (the workshop's task: 2 keywords + unknown + noise).")]
    public string Keywords { get; init; } = "yes,no";

    [CommandOption("--per-class <N>")]
    [Description("Training clips per class after curation. Default 800.")]
    public int PerClass { get; init; } = 800;

    [CommandOption("--epochs <N>")]
    [Description("Training epochs. Default 12.")]
    public int Epochs { get; init; } = 12;

    [CommandOption("--seed <S>")]
    [Description("Seed for synthesis, curation and training. Default 1.")]
    public int Seed { get; init; } = 1;

    [CommandOption("--real-data <DIR>")]
    [Description("Real recordings (Speech Commands layout) to score the model on as well. Default: " +
                 "$HARK_SPEECH_COMMANDS_DEV or ../shared/data/speech-commands-dev when present.")]
    public string? RealData { get; init; }

    [CommandOption("--train-real")]
    [Description("Fine-tune the synthetic model on the real recordings' training speakers (split by Speech Commands' " +
                 "speaker hash) and score real speech only on the held-out speakers, whose clips never reach training or validation.")]
    public bool TrainReal { get; init; }

    [CommandOption("--force")]
    [Description("Replace --out even when it holds something other than a previous demo.")]
    public bool Force { get; init; }

    public IReadOnlyList<string> KeywordList =>
        Keywords.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    public override ValidationResult Validate()
    {
        if (KeywordList.Count == 0) return ValidationResult.Error("--keywords needs at least one word");
        if (PerClass < 50) return ValidationResult.Error("--per-class must be at least 50");
        if (Epochs < 1) return ValidationResult.Error("--epochs must be at least 1");
        return ValidationResult.Success();
    }
}

/// <summary>
/// The whole pipeline on the embedded default, with no download: synthesize keywords and a pool of other words,
/// curate a balanced noise-mixed set, train DS-CNN-S, and score it on held-out synthetic voices (and on real
/// speech when a real dataset is at hand).
/// </summary>
public sealed class DemoCommand : Command<DemoSettings>
{
    private const string Marker = "demo.json";

    /// <summary><c>_unknown_</c> training clips per keyword training clip.</summary>
    internal const int UnknownShare = 2;

    /// <summary>Speakers of a keyword's phonetic neighbour per speaker of any other unknown word.</summary>
    internal const int NearWeight = 3;

    /// <summary>Peak learning rate for fine-tuning on real speech: a third of training from scratch.</summary>
    internal const double FineTuneLearningRate = 1e-3;

    public override int Execute(CommandContext context, DemoSettings settings, CancellationToken cancellationToken)
    {
        string root = Path.GetFullPath(settings.Out);
        string? realDir = FindRealData(settings.RealData);
        if (settings.TrainReal && realDir is null)
            throw new HarkException("--train-real needs real recordings: pass --real-data DIR or set HARK_SPEECH_COMMANDS_DEV");
        PrepareOutput(root, settings.Force);
        var keywords = settings.KeywordList.Select(Labels.ToFolderName).ToList();
        var unknownWords = WordPool.UnknownWords(settings.KeywordList, WordPool.Common, WordPool.EspeakPhonemes);
        var near = unknownWords.Where(w => w.Near).Select(w => w.Word).ToList();
        var far = unknownWords.Where(w => !w.Near).Select(w => w.Word).ToList();
        string keywordDir = Path.Combine(root, "synth-keywords"), otherDir = Path.Combine(root, "synth-other"),
            nearDir = Path.Combine(root, "synth-near");
        string curatedDir = Path.Combine(root, "curated"), runDir = Path.Combine(root, "run");
        var stages = new List<(string Stage, double Seconds)>();
        var total = Stopwatch.StartNew();

        // Half as many distinct takes as training clips per keyword (curation varies the repeats). The unknown class
        // is the larger one, as speech that is not a keyword is in use: every pool word once or a few times, phonetic
        // neighbours of the keywords from three times as many speakers, so that every source is used about once.
        int keywordTakes = Math.Max(40, settings.PerClass / 2);
        int unknownPerClass = UnknownShare * settings.PerClass;
        int otherTakes = Math.Max(3, (int)Math.Ceiling((double)unknownPerClass / Math.Max(1, far.Count + NearWeight * near.Count)));
        var synth = Stage(stages, "synthesize keywords", () => Ui.WithProgress("synthesizing keywords", p =>
            DatasetSynthesizer.Run(new SynthesisOptions(settings.KeywordList, keywordTakes, keywordDir, settings.Seed), p, cancellationToken)));
        Stage(stages, "synthesize other words", () => Ui.WithProgress("synthesizing other words", p =>
        {
            var summary = DatasetSynthesizer.Run(new SynthesisOptions(far, otherTakes, otherDir, settings.Seed + 1, NoiseSeconds: 0), p, cancellationToken);
            if (near.Count > 0)
                DatasetSynthesizer.Run(new SynthesisOptions(near, NearWeight * otherTakes, nearDir, settings.Seed + 2, NoiseSeconds: 0), p, cancellationToken);
            return summary;
        }));
        var curation = Stage(stages, "curate", () => Ui.WithProgress("curating", p => Curator.Run(new CurationOptions
        {
            DataRoots = near.Count > 0 ? [keywordDir, otherDir, nearDir] : [keywordDir, otherDir],
            Keywords = keywords,
            PerClass = settings.PerClass,
            UnknownPerClass = unknownPerClass,
            OutputDir = curatedDir,
            Seed = settings.Seed,
        }, p, cancellationToken)));

        // Curation mixed noise into the clips once; the trainer mixes the same recordings afresh every epoch.
        var noise = Directory.GetFiles(Path.Combine(keywordDir, Labels.BackgroundNoiseFolder), "*.wav").Order(StringComparer.Ordinal).ToList();
        var data = TrainingDataLoader.Load(curatedDir) with { NoiseFiles = noise };
        // Clips are drawn in the curated proportions, so the larger unknown class stays larger in training.
        var options = new TrainingOptions { Model = "dscnn-s", Epochs = settings.Epochs, Seed = settings.Seed, BalanceClasses = false };
        var metrics = Stage(stages, "train", () => TrainCommand.TrainWithProgress("training", runDir, report =>
            Trainer.Train(data, curatedDir, FrontEndConfig.Default, options, runDir, report, cancellationToken)));
        metrics = Stage(stages, "quantize to int8", () => TrainCommand.PackageInt8(runDir, data, curatedDir, metrics));

        // With real recordings to train on: the synthetic model is fine-tuned on the real training speakers alone
        // (a lower learning rate, so it adapts to real voices rather than starting over). Measured on held-out
        // Speech Commands speakers, this did as well as or better than mixing real clips into the synthetic set.
        string finalRun = runDir;
        TrainingMetrics? realMetrics = null;
        object? realCounts = null;
        if (settings.TrainReal)
        {
            string realCurated = Path.Combine(root, "curated-real"), realRun = Path.Combine(root, "run-real");
            var realCuration = Stage(stages, "curate real speech", () => Ui.WithProgress("curating real speech", p => Curator.Run(new CurationOptions
            {
                DataRoots = [realDir!],
                Keywords = keywords,
                PerClass = settings.PerClass,
                UnknownPerClass = unknownPerClass,
                OutputDir = realCurated,
                Seed = settings.Seed,
            }, p, cancellationToken)));
            realCounts = realCuration.Counts;
            var realData = TrainingDataLoader.Load(realCurated) with { NoiseFiles = noise };
            var fineTune = options with { LearningRate = FineTuneLearningRate, InitFrom = runDir };
            realMetrics = Stage(stages, "fine-tune on real speech", () => TrainCommand.TrainWithProgress("fine-tuning", realRun, report =>
                Trainer.Train(realData, realCurated, FrontEndConfig.Default, fineTune, realRun, report, cancellationToken)));
            realMetrics = Stage(stages, "quantize to int8", () => TrainCommand.PackageInt8(realRun, realData, realCurated, realMetrics));
            finalRun = realRun;
        }

        EvaluationReport? real = null, realInt8 = null, synthOnly = null;
        if (realDir is not null)
        {
            // Scanned as curation scanned it, so the test split is exactly the speakers curation held out.
            var scanned = DatasetScanner.Scan(realDir);
            var clips = settings.TrainReal ? scanned.ClipsIn(Split.Test).ToList() : scanned.Clips;
            EvaluationReport Score(string run, string what) => Stage(stages, $"score on real speech, {what}", () =>
            {
                using IKeywordClassifier model = what.EndsWith("int8") ? Int8Engine.Load(run) : TrainedModel.Load(run);
                return Ui.WithProgress($"scoring real speech ({what})", p => Evaluator.Run(model, clips, ProtocolKind.Model, p, cancellationToken));
            });
            real = Score(finalRun, "float");
            if ((realMetrics ?? metrics).Int8TestAccuracy is not null) realInt8 = Score(finalRun, "int8");
            if (settings.TrainReal) synthOnly = Score(runDir, "synthetic-only model, float");
        }

        // From here on the model is treated as the device will run it: the int8 package, streamed.
        var synthRoots = near.Count > 0 ? new[] { keywordDir, otherDir, nearDir } : new[] { keywordDir, otherDir };
        var device = DemoDevice.Run(root, finalRun, keywords, synthRoots, realDir, settings.TrainReal, settings.Seed, stages, cancellationToken);

        var config = RunFiles.ReadJson<RunConfig>(Path.Combine(runDir, RunConfig.FileName));
        var summary = new
        {
            output = root,
            keywords,
            labels = metrics.Labels,
            synthesized_clips = synth.ClipsPerWord.Values.Sum(),
            synthetic_speakers = synth.Speakers,
            unknown_words = far.Count + near.Count,
            near_words = near,
            curated = curatedDir,
            curated_counts = curation.Counts,
            run = runDir,
            model = config.Model,
            parameters = config.Parameters,
            macs = config.Macs,
            synthetic_test_accuracy = metrics.TestAccuracy,
            synthetic_test_accuracy_int8 = metrics.Int8TestAccuracy,
            package = (realMetrics ?? metrics).Int8TestAccuracy is null ? null : Path.Combine(finalRun, ModelPackage.FileName),
            fine_tuned_run = realMetrics is null ? null : finalRun,
            real_curated_counts = realCounts,
            real_speech = real is null ? null : new
            {
                data = realDir, split = settings.TrainReal ? "test" : "all", real.Accuracy, accuracy_int8 = realInt8?.Accuracy, real.Clips, per_class = real.PerClass,
                detection = real.Detection,
            },
            real_speech_synthetic_only = synthOnly is null ? null : new
            {
                synthOnly.Accuracy, per_class = synthOnly.PerClass, detection = synthOnly.Detection,
            },
            thresholds = device.Calibration.Keywords.Select(k => new { label = k.Label, threshold = k.After, probability = k.After / 256.0 }),
            calibration_stream = device.CalibrationStream,
            c_library = new
            {
                path = device.Library.Directory,
                arduino_zip = device.Library.ArduinoZip,
                cortex_m4 = device.Library.M4 is { } m4 ? CLibraryExporter.ResourcesJson(m4) : null,
                cortex_m4_not_measured = device.Library.NotMeasured,
            },
            verified = device.Verified.Select(v => new
            {
                target = v.Target == Verification.CTarget.Host ? "host" : "cortex-m4", clips = v.Clips, mismatches = v.Mismatches.Count,
                stream_seconds = v.Stream.Seconds, stream_events = v.Stream.ActualEvents, stream_identical = v.Stream.Identical,
            }),
            verify_skipped = device.VerifySkipped,
            streams = device.Streams.Select(st => new
            {
                name = st.Name, path = st.Directory, hours = st.Score.Hours, recall = st.Score.Recall,
                false_alarms = st.Score.FalseAlarms, false_alarms_per_hour = st.Score.FalseAlarmsPerHour,
                per_keyword = st.Score.PerKeyword.Select(k => new { label = k.Label, recall = k.Recall, false_alarms_per_hour = k.FalseAlarmsPerHour }),
            }),
            stages = stages.Select(s => new { s.Stage, s.Seconds }),
            total_seconds = total.Elapsed.TotalSeconds,
        };
        RunFiles.WriteJson(Path.Combine(root, Marker), summary);
        if (settings.Json) Ui.WriteJson(summary);
        else WriteSummary(root, finalRun, config, metrics, real, realInt8, synthOnly, device, stages, total.Elapsed.TotalSeconds);
        return CliRunner.Ok;
    }

    internal static T Stage<T>(List<(string, double)> stages, string name, Func<T> work)
    {
        var clock = Stopwatch.StartNew();
        var result = work();
        stages.Add((name, clock.Elapsed.TotalSeconds));
        return result;
    }

    /// <summary>A previous demo is ours to replace; anything else needs --force, so a typo never deletes user data.</summary>
    private static void PrepareOutput(string root, bool force)
    {
        if (!Directory.Exists(root) || !Directory.EnumerateFileSystemEntries(root).Any()) return;
        if (!force && !File.Exists(Path.Combine(root, Marker)))
            throw new InputFileException(root, "exists and is not a previous demo; choose another --out or pass --force");
        Directory.Delete(root, recursive: true);
    }

    private static string? FindRealData(string? requested)
    {
        if (requested is not null)
            return Directory.Exists(requested) ? Path.GetFullPath(requested)
                : throw new InputFileException(requested, "real-data folder not found");
        foreach (string? candidate in new[]
                 {
                     Environment.GetEnvironmentVariable("HARK_SPEECH_COMMANDS_DEV"),
                     Path.Combine("..", "shared", "data", "speech-commands-dev"),
                 })
            if (candidate is not null && Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        return null;
    }

    private static string Percent(double? fraction) => fraction is { } f ? $"{f:P1}" : "n/a";

    private static void WriteSummary(string root, string runDir, RunConfig config, TrainingMetrics metrics,
        EvaluationReport? real, EvaluationReport? realInt8, EvaluationReport? synthOnly, DemoDeviceResult device,
        List<(string Stage, double Seconds)> stages, double totalSeconds)
    {
        var table = new Table().Title("[bold]Hark demo[/]").AddColumns("", "");
        table.AddRow("task", Markup.Escape(string.Join(", ", metrics.Labels)));
        table.AddRow("model", $"{config.Model}: {config.Parameters:N0} parameters, {config.Macs / 1e6:F2} M MACs");
        table.AddRow("accuracy, held-out synthetic voices", $"float {Percent(metrics.TestAccuracy)}, int8 {Percent(metrics.Int8TestAccuracy)}");
        if (real is not null)
        {
            bool heldOut = synthOnly is not null;
            if (synthOnly is not null)
                table.AddRow("accuracy, held-out real speakers, before fine-tuning", $"float {Percent(synthOnly.Accuracy)}");
            table.AddRow($"accuracy, real speech ({real.Clips} clips{(heldOut ? " of held-out speakers, fine-tuned" : "")})", $"float {Percent(real.Accuracy)}, int8 {Percent(realInt8?.Accuracy)}");
            foreach (var c in real.PerClass)
                table.AddRow($"  {Markup.Escape(c.Label)}", $"recall {c.Recall:P1}, precision {c.Precision:P1}");
            foreach (var d in real.Detection)
                table.AddRow($"  {Markup.Escape(d.Label)} vs everything else", $"AUC {d.Auc:F3}, recall {d.RecallAtOnePercentFalseAccepts:P1} at 1 % false accepts");
        }
        else
        {
            table.AddRow("accuracy, real speech", "[grey]no real recordings given (--real-data DIR)[/]");
        }
        table.AddRow("thresholds (calibrated on validation voices)", string.Join(", ", device.Calibration.Keywords.Select(k =>
            $"{Markup.Escape(k.Label)} {k.After / 256.0:0.00}{(k.Disabled ? " [red](never fires)[/]" : "")}")) +
            $" for {DemoDevice.TargetFalseAlarmsPerHour} false alarms/hour");
        foreach (var st in device.Streams)
            table.AddRow($"continuous detection, {Markup.Escape(st.Name)} ({st.Score.Hours * 60:0} min)",
                $"recall {Percent(st.Score.Recall)}, {st.Score.FalseAlarms} false alarms = {st.Score.FalseAlarmsPerHour:0.#} per hour");
        table.AddRow("C library", Markup.Escape(device.Library.Directory) + (device.Library.M4 is { } m4
            ? $": flash {m4.FlashBytes:N0} B, RAM {m4.RamBytes:N0} B, {m4.InstructionsPerInference:N0} Cortex-M4 instructions per inference " +
              $"(~{Verification.M4Report.EstimatedMs(m4.InstructionsPerInference):F0} ms at 80 MHz, an estimate)"
            : $" [grey](Cortex-M4 not measured: {Markup.Escape(device.Library.NotMeasured ?? "")})[/]"));
        foreach (var v in device.Verified)
            table.AddRow($"verified on {(v.Target == Verification.CTarget.Host ? "the host" : "the Cortex-M4 (QEMU)")}",
                v.Mismatches.Count == 0 && v.Stream.Identical
                    ? $"[green]identical[/]: {v.Clips} clips' int8 features and scores, {v.Stream.ActualEvents} events of a {v.Stream.Seconds:F0} s stream"
                    : $"[red]{v.Mismatches.Count} mismatches[/] (run hark verify for the details)");
        if (device.VerifySkipped is not null) table.AddRow("Cortex-M4 check", $"[grey]skipped: {Markup.Escape(device.VerifySkipped)}[/]");
        table.AddRow("time", string.Join(", ", stages.Select(s => $"{s.Stage} {s.Seconds:F0} s")) + $"; total {totalSeconds:F0} s");
        table.AddRow("datasets", Markup.Escape(root));
        table.AddRow("model run", Markup.Escape(runDir) + " (model.hark, curves.png, confusion.png, metrics.json)");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Next: [bold]./hark eval --model {Markup.Escape(runDir)} --data DIR[/] on your own recordings, " +
                               $"[bold]./hark detect --model {Markup.Escape(runDir)} FILE.wav[/], or flash {Markup.Escape(device.Library.Directory)}.");
    }
}
