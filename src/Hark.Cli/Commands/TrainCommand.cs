using System.ComponentModel;
using System.Diagnostics;
using Hark.Cli.Plots;
using Hark.Features;
using Hark.Training;
using Hark.Training.Data;
using Hark.Training.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

/// <summary>
/// <c>hark train</c>: trains a model on a Speech Commands-layout folder into a run folder (model.json, weights.dat,
/// checkpoint.dat, metrics.json, curves.png, confusion.png). Epoch lines and a progress bar go to standard error.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    /// <summary>Files a run folder may hold; --force removes exactly these.</summary>
    private static readonly string[] RunFileNames =
    [
        RunConfig.FileName, RunFiles.WeightsFile, RunFiles.CheckpointFile, TrainingMetrics.FileName,
        TrainingPlots.CurvesFile, TrainingPlots.ConfusionFile, Hark.Engine.ModelPackage.FileName,
    ];

    public sealed class Settings : JsonSettings
    {
        [CommandOption("--data <DIR>")]
        [Description("Dataset folder: one sub-folder of WAVs per label, optional validation_list.txt/testing_list.txt and _background_noise_/.")]
        public string? Data { get; init; }

        [CommandOption("--out <RUN>")]
        [Description("Run folder to write (must be empty unless --resume or --force).")]
        public string? Out { get; init; }

        [CommandOption("--model <NAME>")]
        [Description("dscnn-s (default), cnn1d or bcresnet1.")]
        public string Model { get; init; } = DsCnn.Name;

        [CommandOption("--epochs <N>")]
        [Description("Maximum epochs (default 30; early stopping may end sooner). With --resume, raises the stored limit.")]
        public int? Epochs { get; init; }

        [CommandOption("--seed <S>")]
        [Description("Random seed; the same seed, data and threads give bit-identical weights (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--batch-size <N>")]
        [Description("Clips per optimizer step (default 100).")]
        public int BatchSize { get; init; } = 100;

        [CommandOption("--lr <RATE>")]
        [Description("Peak Adam learning rate after a one-epoch warm-up, cosine-decayed to 1% (default 0.003).")]
        public double LearningRate { get; init; } = 3e-3;

        [CommandOption("--patience <N>")]
        [Description("Stop after N epochs without a better validation accuracy; 0 never stops early (default 8).")]
        public int Patience { get; init; } = 8;

        [CommandOption("--threads <N>")]
        [Description("Threads for libtorch and features (default 2). Part of what makes a run reproducible.")]
        public int Threads { get; init; } = 2;

        [CommandOption("--preset <NAME>")]
        [Description("Front-end preset (default: the front end's default, 49 frames x 10 MFCC).")]
        public string? Preset { get; init; }

        [CommandOption("--noise <PATH>")]
        [Description("Extra background noise for mixing: a WAV file or a folder of them; repeatable. Added to the data's _background_noise_/.")]
        public string[] Noise { get; init; } = [];

        [CommandOption("--label-smoothing <S>")]
        [Description("Label smoothing of the training loss, from 0 up to (not including) 1 (default 0.1).")]
        public double? LabelSmoothing { get; init; }

        [CommandOption("--no-balance")]
        [Description("Draw training clips in the data's own class proportions instead of equally per class " +
                     "(e.g. to keep a deliberately larger _unknown_ class from hark curate --unknown-per-class).")]
        public bool NoBalance { get; init; }

        [CommandOption("--snr-db <MIN,MAX>")]
        [Description("Range of speech-to-noise ratios for the noise mixed in each epoch (default 0,20).")]
        public string? SnrDb { get; init; }

        [CommandOption("--channel-prob <P>")]
        [Description("Fraction of augmented clips sent through a random microphone/channel: high-pass, low-pass, resonance (default 0.5).")]
        public double? ChannelProbability { get; init; }

        [CommandOption("--clip-prob <P>")]
        [Description("Fraction of augmented clips overdriven and hard-clipped (default 0.1).")]
        public double? ClipProbability { get; init; }

        [CommandOption("--time-masks <N>")]
        [Description("SpecAugment time masks per clip (default 1).")]
        public int? TimeMasks { get; init; }

        [CommandOption("--init-from <RUN>")]
        [Description("Start from another run's best weights (same model, labels and front end), e.g. to fine-tune a " +
                     "model trained on synthetic speech on real recordings with a lower --lr.")]
        public string? InitFrom { get; init; }

        [CommandOption("--no-augment")]
        [Description("Train on clean clips only (no shift, speed, gain, noise or SpecAugment).")]
        public bool NoAugment { get; init; }

        [CommandOption("--resume")]
        [Description("Continue the run in --out from its last checkpoint with its stored settings.")]
        public bool Resume { get; init; }

        [CommandOption("--force")]
        [Description("Overwrite an existing run in --out.")]
        public bool Force { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Data)) return ValidationResult.Error("--data is required");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
            if (Resume && Force) return ValidationResult.Error("--resume and --force contradict each other");
            if (SnrDb is not null && ParseRange(SnrDb) is null) return ValidationResult.Error("--snr-db must be MIN,MAX in dB");
            var errors = ToOptions().Errors().ToList();
            return errors.Count > 0 ? ValidationResult.Error(string.Join("; ", errors)) : ValidationResult.Success();
        }

        public TrainingOptions ToOptions()
        {
            var defaults = new TrainingOptions();
            var augmentation = NoAugment ? AugmentationOptions.None : defaults.Augmentation;
            if (!NoAugment)
            {
                var snr = SnrDb is null ? null : ParseRange(SnrDb);
                augmentation = augmentation with
                {
                    MinSnrDb = snr?.Min ?? augmentation.MinSnrDb,
                    MaxSnrDb = snr?.Max ?? augmentation.MaxSnrDb,
                    ChannelProbability = ChannelProbability ?? augmentation.ChannelProbability,
                    ClipProbability = ClipProbability ?? augmentation.ClipProbability,
                    TimeMasks = TimeMasks ?? augmentation.TimeMasks,
                };
            }
            return defaults with
            {
                Model = Model,
                Epochs = Epochs ?? defaults.Epochs,
                Seed = Seed,
                BatchSize = BatchSize,
                LearningRate = LearningRate,
                Patience = Patience,
                Threads = Threads,
                LabelSmoothing = LabelSmoothing ?? defaults.LabelSmoothing,
                BalanceClasses = !NoBalance,
                InitFrom = InitFrom is null ? null : Path.GetFullPath(InitFrom),
                Augmentation = augmentation,
            };
        }

        private static (double Min, double Max)? ParseRange(string text)
        {
            var parts = text.Split(',');
            return parts.Length == 2
                   && double.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out double min)
                   && double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out double max)
                ? (min, max) : null;
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string dataDir = settings.Data!, runDir = settings.Out!;
        PrepareRunFolder(runDir, settings);
        var data = WithExtraNoise(TrainingDataLoader.Load(dataDir), settings.Noise);
        if (settings.Resume)
            Ui.Err.MarkupLine("[grey]resuming with the run's stored settings (only --epochs can change them)[/]");
        Ui.Err.MarkupLine($"[grey]{data.Clips.Count} clips, labels: {Markup.Escape(string.Join(", ", data.Labels))}, {data.NoiseFiles.Count} noise recordings[/]");

        var clock = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var metrics = settings.Resume
            ? TrainWithProgress("resuming", runDir, report => Trainer.Resume(data, dataDir, runDir, settings.Epochs, report, cancellationToken))
            : TrainWithProgress("training", runDir, report =>
                Trainer.Train(data, dataDir, ResolveFrontEnd(settings.Preset), settings.ToOptions(), runDir, report, cancellationToken));
        metrics = PackageInt8(runDir, data, dataDir, metrics);
        double wall = clock.Elapsed.TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var config = RunFiles.ReadJson<RunConfig>(Path.Combine(runDir, RunConfig.FileName));
        WriteResult(settings.Json, runDir, config, metrics, wall, cpu);
        return CliRunner.Ok;
    }

    /// <summary>Runs a training with a progress bar and epoch lines, then draws the run's curves and confusion PNGs.</summary>
    internal static TrainingMetrics TrainWithProgress(string title, string runDir, Func<IProgress<TrainingProgress>, TrainingMetrics> train)
    {
        var metrics = Ui.WithProgress(title, progress => train(new EpochReporter(progress)));
        TrainingPlots.SaveCurves(metrics, Path.Combine(runDir, TrainingPlots.CurvesFile));
        if (metrics.TestConfusion is not null)
            TrainingPlots.SaveConfusion(metrics.Labels, metrics.TestConfusion, Path.Combine(runDir, TrainingPlots.ConfusionFile));
        return metrics;
    }

    /// <summary>
    /// Quantizes a finished run into <c>model.hark</c> (the int8 model every deployment is checked against) and
    /// records its accuracy beside the float model's.
    /// </summary>
    internal static TrainingMetrics PackageInt8(string runDir, ITrainingData data, string dataDir, TrainingMetrics metrics)
    {
        string modelName = RunFiles.ReadJson<RunConfig>(Path.Combine(runDir, RunConfig.FileName)).Model;
        if (!GraphExtractor.Supports(modelName))
        {
            Ui.Err.MarkupLine($"[yellow]no int8 package: {Markup.Escape(modelName)} cannot be converted to int8 yet[/]");
            return metrics;
        }
        var package = Ui.WithProgress("int8 package", _ => ModelPackager.Build(runDir, data, dataDir));
        Ui.Err.MarkupLine($"[grey]int8 package {Markup.Escape(package.PackagePath)}: test accuracy float {Percent(package.FloatTestAccuracy)}, int8 {Percent(package.Int8TestAccuracy)}, top-1 agreement {100 * package.Top1Agreement:F1}%[/]");
        return metrics with { Int8TestAccuracy = package.Int8TestAccuracy, Int8Top1Agreement = package.Top1Agreement };
    }

    private static string Percent(double? fraction) => fraction is { } f ? $"{100 * f:F2}%" : "n/a";

    internal static FrontEndConfig ResolveFrontEnd(string? preset) =>
        preset is null or "default" ? FrontEndConfig.Default : FrontEndConfig.Preset(preset);

    private static TrainingData WithExtraNoise(TrainingData data, IEnumerable<string> paths)
    {
        var extra = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path)) extra.AddRange(Directory.GetFiles(path, "*.wav").Order(StringComparer.Ordinal));
            else if (File.Exists(path)) extra.Add(path);
            else throw new InputFileException(path, "noise file or folder not found");
        }
        return extra.Count == 0 ? data : data with { NoiseFiles = [.. data.NoiseFiles, .. extra] };
    }

    private static void PrepareRunFolder(string runDir, Settings settings)
    {
        bool hasFiles = Directory.Exists(runDir) && Directory.EnumerateFileSystemEntries(runDir).Any();
        if (settings.Resume)
        {
            if (!File.Exists(Path.Combine(runDir, RunConfig.FileName)))
                throw new InputFileException(runDir, "no run to resume here (model.json missing)");
            return;
        }
        if (!hasFiles) return;
        if (!settings.Force)
            throw new InputFileException(runDir, "run folder is not empty; use --resume to continue it or --force to overwrite it");
        foreach (string name in RunFileNames) File.Delete(Path.Combine(runDir, name));
    }

    private static void WriteResult(bool json, string runDir, RunConfig config, TrainingMetrics metrics, double wall, double cpu)
    {
        var last = metrics.History.Count > 0 ? metrics.History[^1] : null;
        if (json)
        {
            Ui.WriteJson(new
            {
                Run = Path.GetFullPath(runDir),
                config.Model,
                config.Labels,
                config.Parameters,
                config.Macs,
                Epochs = metrics.History.Count,
                metrics.BestEpoch,
                metrics.BestValidationAccuracy,
                metrics.TestAccuracy,
                metrics.Int8TestAccuracy,
                metrics.StoppedEarly,
                WallSeconds = wall,
                CpuSeconds = cpu,
            });
            return;
        }
        var table = new Table().AddColumns("", "");
        table.AddRow("model", $"{config.Model} ({config.Parameters:N0} parameters, {config.Macs / 1e6:F2} M MACs)");
        table.AddRow("labels", Markup.Escape(string.Join(", ", config.Labels)));
        table.AddRow("epochs", $"{metrics.History.Count}{(metrics.StoppedEarly ? " (stopped early)" : "")}, kept epoch {metrics.BestEpoch}");
        table.AddRow("validation accuracy", $"{100 * metrics.BestValidationAccuracy:F2}%");
        table.AddRow("test accuracy", metrics.TestAccuracy is { } t ? $"{100 * t:F2}%" : "no test split");
        table.AddRow("int8 test accuracy", metrics.Int8TestAccuracy is { } q ? $"{100 * q:F2}% (model.hark)" : "no test split");
        if (last is not null) table.AddRow("last epoch", $"train loss {last.TrainLoss:F4}, validation loss {last.ValidationLoss:F4}");
        table.AddRow("time", $"{wall:F1} s wall, {cpu:F1} s CPU");
        table.AddRow("run", Markup.Escape(Path.GetFullPath(runDir)));
        AnsiConsole.Write(table);
    }

    /// <summary>Forwards progress to the bar and prints one line per finished epoch.</summary>
    private sealed class EpochReporter(IProgress<ProgressReport> bar) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            bar.Report(new ProgressReport(value.Fraction, value.Stage));
            if (value.CompletedEpoch is not { } e) return;
            Ui.Err.MarkupLine(
                $"epoch {e.Epoch,3}  train loss {e.TrainLoss:F4} acc {100 * e.TrainAccuracy:F1}%  " +
                $"val loss {e.ValidationLoss:F4} acc {100 * e.ValidationAccuracy:F1}%  lr {e.LearningRate:G3}  {e.Seconds:F1} s");
        }
    }
}
