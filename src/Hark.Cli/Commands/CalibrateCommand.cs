using System.ComponentModel;
using System.Globalization;
using Hark.Engine;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class CalibrateSettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder (its model.hark) or a model.hark file. The chosen thresholds are stored in it (only the " +
                 "detector settings change), so hark export and hark stream-eval use them.")]
    public string? Model { get; init; }

    [CommandOption("--stream <DIR>")]
    [Description("Calibration stream made by hark stream-bench. It must not be the stream you report results on: build it " +
                 "from other speakers (e.g. stream-bench --split validation, or synthesized data) and report on a --split test " +
                 "stream, or the numbers are tuned to the answers.")]
    public string? Stream { get; init; }

    [CommandOption("--target-fa-per-hour <N>")]
    [Description("False alarms per hour allowed, all keywords together (split evenly between them). Default 0.5. On a " +
                 "stream of H hours each of K keywords may have target x H / K false alarms, rounded down: on a 1-hour " +
                 "stream, 0.5 for two keywords allows none. Longer calibration streams estimate the rate better.")]
    public double TargetFaPerHour { get; init; } = 0.5;

    [CommandOption("--tolerance <SECONDS>")]
    [Description("How long after a word's end a detection still counts for it (as in hark stream-eval). Default 1.0.")]
    public double Tolerance { get; init; } = EventMatcher.DefaultToleranceSeconds;

    [CommandOption("--search")]
    [Description("Also try smoothing 1..8 and minimum count 1..3 (from the same recorded pass) and keep the pair whose " +
                 "calibrated thresholds find the most keywords on the calibration stream. Default: keep the model's.")]
    public bool Search { get; init; }

    [CommandOption("--dry-run")]
    [Description("Report the thresholds without storing them.")]
    public bool DryRun { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (string.IsNullOrWhiteSpace(Stream)) return ValidationResult.Error("--stream DIR is required");
        if (!(TargetFaPerHour >= 0 && TargetFaPerHour <= 3600)) return ValidationResult.Error("--target-fa-per-hour must be in [0, 3600]");
        if (!(Tolerance >= 0 && Tolerance <= 10)) return ValidationResult.Error("--tolerance must be in [0, 10] seconds");
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>hark calibrate</c>: each keyword's threshold from a calibration stream (<see cref="Calibrator"/>), stored in the
/// run's model.hark with everything else unchanged (written beside it and renamed into place).
/// </summary>
public sealed class CalibrateCommand : Command<CalibrateSettings>
{
    public override int Execute(CommandContext context, CalibrateSettings settings, CancellationToken cancellationToken)
    {
        string packagePath = ModelPackage.Resolve(settings.Model!);
        var package = ModelPackage.Load(settings.Model!);
        var run = Ui.WithProgress("streaming", progress => StreamEvaluator.Run(package, settings.Stream!, progress, cancellationToken));
        if (run.Truth.Splits.Contains("test"))
            Ui.Err.MarkupLine("[yellow]note: this calibration stream holds test-split speakers; report results on a stream of other speakers.[/]");
        var before = StreamEvaluator.Score(run, settings.Tolerance);
        CalibrationResult result;
        List<Calibrator.Candidate>? candidates = null;
        try
        {
            if (settings.Search)
            {
                candidates = Ui.WithProgress("searching smoothing and minimum count", _ => Calibrator.Search(run.Trace, run.Settings, run.Truth,
                    settings.TargetFaPerHour, Enumerable.Range(1, DetectorSettings.MaxSmoothing), Enumerable.Range(1, 3), settings.Tolerance));
                result = candidates[0].Result;
            }
            else result = Calibrator.Calibrate(run.Trace, run.Settings, run.Truth, settings.TargetFaPerHour, settings.Tolerance);
        }
        catch (HarkException e) { throw new InputFileException(Path.Combine(run.Directory, StreamTruth.FileName), e.Message, e); }
        if (!settings.DryRun) package.WithDetector(result.Settings).Save(packagePath);

        if (settings.Json)
        {
            Ui.WriteJson(new
            {
                model = Path.GetFullPath(packagePath),
                stream = run.Directory,
                hours = run.Truth.Hours,
                target_fa_per_hour = settings.TargetFaPerHour,
                tolerance_s = settings.Tolerance,
                saved = !settings.DryRun,
                smoothing = result.Settings.Smoothing,
                min_count = result.Settings.MinCount,
                search = candidates?.Select(c => new
                {
                    smoothing = c.Smoothing, min_count = c.MinCount, recall = c.Result.Score.Recall,
                    false_alarms_per_hour = c.Result.Score.FalseAlarmsPerHour, thresholds = c.Result.Keywords.Select(k => k.After),
                }),
                thresholds = result.Keywords.Select(k => new
                {
                    label = k.Label, before = k.Before, after = k.After, recall = k.Recall, false_alarms = k.FalseAlarms,
                    false_alarms_per_hour = k.FalseAlarmsPerHour, disabled = k.Disabled,
                }),
                recall = result.Score.Recall,
                false_alarms = result.Score.FalseAlarms,
                false_alarms_per_hour = result.Score.FalseAlarmsPerHour,
                before = new { recall = before.Recall, false_alarms = before.FalseAlarms, false_alarms_per_hour = before.FalseAlarmsPerHour },
            });
            return CliRunner.Ok;
        }

        var table = new Table().Title($"[bold]hark calibrate[/]: target {settings.TargetFaPerHour.ToString(CultureInfo.InvariantCulture)} false alarms/hour on {run.Truth.Hours * 60:0.#} min")
            .AddColumns("keyword", "threshold before", "threshold after", "recall", "false alarms", "FA / hour");
        foreach (var k in result.Keywords)
            table.AddRow(Markup.Escape(k.Label), $"{k.Before} ({k.Before / 256.0:0.00})",
                $"{k.After} ({k.After / 256.0:0.00}){(k.Disabled ? " [red]never fires[/]" : "")}",
                StreamEvalCommand.Percent(k.Recall), $"{k.FalseAlarms}", $"{k.FalseAlarmsPerHour:0.##}");
        table.AddRow("[bold]all[/]", $"recall {StreamEvalCommand.Percent(before.Recall)}, {before.FalseAlarmsPerHour:0.##} FA/h", "",
            $"[bold]{StreamEvalCommand.Percent(result.Score.Recall)}[/]", $"{result.Score.FalseAlarms}", $"[bold]{result.Score.FalseAlarmsPerHour:0.##}[/]");
        AnsiConsole.Write(table);
        if (candidates is not null)
        {
            var search = new Table().Title("smoothing and minimum count tried (best first)").AddColumns("smoothing", "min count", "thresholds", "recall", "FA / hour");
            foreach (var c in candidates.Take(8))
                search.AddRow($"{c.Smoothing}", $"{c.MinCount}", string.Join(", ", c.Result.Keywords.Select(k => k.After)),
                    StreamEvalCommand.Percent(c.Result.Score.Recall), $"{c.Result.Score.FalseAlarmsPerHour:0.##}");
            AnsiConsole.Write(search);
        }
        AnsiConsole.MarkupLine($"detector: {Markup.Escape(result.Settings.Summary)}");
        AnsiConsole.MarkupLine(settings.DryRun
            ? "[grey]--dry-run: nothing stored[/]"
            : $"stored in {Markup.Escape(Path.GetFullPath(packagePath))}; measure on a stream of other speakers with hark stream-eval");
        foreach (var k in result.Keywords.Where(k => k.Disabled))
            AnsiConsole.MarkupLine($"[red]'{Markup.Escape(k.Label)}' cannot meet the target on this stream at any threshold below 256: it is switched off.[/]");
        return CliRunner.Ok;
    }
}
