using System.ComponentModel;
using Hark.Training;
using Hark.Training.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class QuantizeSettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder written by hark train.")]
    public string? Model { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("The dataset the run was trained on: its training clips calibrate the activation ranges and its " +
                 "test split measures the int8 accuracy.")]
    public string? Data { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model RUN is required")
        : string.IsNullOrWhiteSpace(Data) ? ValidationResult.Error("--data DIR is required")
        : ValidationResult.Success();
}

/// <summary>
/// Re-creates a run's int8 package (<c>model.hark</c>). <c>hark train</c> already does this; this command serves runs
/// made before packaging existed and re-calibration on other data.
/// </summary>
public sealed class QuantizeCommand : Command<QuantizeSettings>
{
    public override int Execute(CommandContext context, QuantizeSettings settings, CancellationToken cancellationToken)
    {
        string run = settings.Model!, dataDir = settings.Data!;
        if (!Directory.Exists(run)) throw new InputFileException(run, "run folder not found");
        var data = TrainingDataLoader.Load(dataDir);
        var metrics = RunFiles.ReadJson<TrainingMetrics>(Path.Combine(run, TrainingMetrics.FileName));
        // Thresholds calibrated for this run's float model stay with it: re-quantizing must not silently reset them.
        var previous = TryLoadDetector(run);
        metrics = TrainCommand.PackageInt8(run, data, dataDir, metrics);
        string packagePath = Path.Combine(run, Engine.ModelPackage.FileName);
        if (previous is { } kept)
        {
            var package = Engine.ModelPackage.Load(packagePath);
            if (kept.Labels.SequenceEqual(package.Labels)) package.WithDetector(kept.Detector).Save(packagePath);
            Ui.Err.MarkupLine("[grey]kept the package's detector settings (thresholds); run hark calibrate again if the int8 accuracy changed much[/]");
        }
        if (settings.Json)
            Ui.WriteJson(new
            {
                package = Path.GetFullPath(Path.Combine(run, Engine.ModelPackage.FileName)),
                float_test_accuracy = metrics.TestAccuracy,
                int8_test_accuracy = metrics.Int8TestAccuracy,
                int8_top1_agreement = metrics.Int8Top1Agreement,
            });
        else
            AnsiConsole.MarkupLine($"int8 test accuracy {metrics.Int8TestAccuracy:P2} (float {metrics.TestAccuracy:P2}), " +
                                   $"top-1 agreement {metrics.Int8Top1Agreement:P1}");
        return CliRunner.Ok;
    }

    private static (IReadOnlyList<string> Labels, Streaming.DetectorSettings Detector)? TryLoadDetector(string run)
    {
        try
        {
            var package = Engine.ModelPackage.Load(run);
            return (package.Labels, package.Detector);
        }
        catch (InputFileException)
        {
            return null;   // no package yet, or one this version cannot read: nothing to keep
        }
    }
}
