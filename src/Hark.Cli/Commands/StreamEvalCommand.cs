using System.ComponentModel;
using System.Globalization;
using Hark.Cli.Plots;
using Hark.Engine;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class StreamEvalSettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder (its model.hark) or a model.hark file. Its detector settings (thresholds, smoothing, ...) are used.")]
    public string? Model { get; init; }

    [CommandOption("--stream <DIR>")]
    [Description("Folder made by hark stream-bench (stream.wav and truth.json).")]
    public string? Stream { get; init; }

    [CommandOption("--tolerance <SECONDS>")]
    [Description("How long after a word's end a detection still counts for it. Default 1.0: the detecting window is 1 s " +
                 "and ends at the detection time, so a window ending later than that holds none of the word.")]
    public double Tolerance { get; init; } = EventMatcher.DefaultToleranceSeconds;

    [CommandOption("--png <PATH>")]
    [Description("Where to draw the DET curve (miss rate against false alarms per hour, each keyword's threshold swept " +
                 "1..256). Default ./stream-det.png.")]
    public string Png { get; init; } = "stream-det.png";

    [CommandOption("--show <N>")]
    [Description("List at most N false alarms and N misses with their times. Default 10 (--json lists them all).")]
    public int Show { get; init; } = 10;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (string.IsNullOrWhiteSpace(Stream)) return ValidationResult.Error("--stream DIR is required");
        if (!(Tolerance >= 0 && Tolerance <= 10)) return ValidationResult.Error("--tolerance must be in [0, 10] seconds");
        if (!Png.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return ValidationResult.Error("--png must end in .png");
        if (Show < 0) return ValidationResult.Error("--show must not be negative");
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>hark stream-eval</c>: the model's streaming detector over a benchmark stream, scored against its truth
/// (<see cref="EventMatcher"/>), with a DET curve swept from one recorded pass (<see cref="ThresholdSweep"/>).
/// </summary>
public sealed class StreamEvalCommand : Command<StreamEvalSettings>
{
    public override int Execute(CommandContext context, StreamEvalSettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        var run = Ui.WithProgress("streaming", progress => StreamEvaluator.Run(package, settings.Stream!, progress, cancellationToken));
        var score = StreamEvaluator.Score(run, settings.Tolerance);
        var curves = score.PerKeyword.Where(k => package.Labels.Contains(k.Label)).Select(k =>
        {
            int index = package.Labels.ToList().IndexOf(k.Label);
            return new DetPlot.Curve(k.Label, ThresholdSweep.Sweep(run.Trace, run.Settings, run.Truth, k.Label, settings.Tolerance),
                run.Settings.Thresholds[index], k.MissRate, k.FalseAlarmsPerHour);
        }).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Png))!);
        DetPlot.Save(curves, run.Truth.Hours,
            $"DET: {package.Metadata.ModelName} on {run.Truth.DurationS / 60:0.#} min ({string.Join(",", run.Truth.Splits)} split)", settings.Png);

        if (settings.Json) WriteJson(settings, package, run, score, curves);
        else WriteTables(settings, package, run, score);
        return CliRunner.Ok;
    }

    internal static object KeywordJson(KeywordScore k, ushort? threshold) => new
    {
        label = k.Label,
        threshold,
        truths = k.Truths,
        hits = k.Hits,
        recall = k.Recall,
        false_alarms = k.FalseAlarms,
        false_alarms_per_hour = k.FalseAlarmsPerHour,
        false_alarm_kinds = new { duplicate = k.Duplicates, wrong_label = k.WrongLabel, distractor = k.AtDistractors, background = k.InBackground },
    };

    private static void WriteJson(StreamEvalSettings settings, ModelPackage package, StreamRun run, StreamScore score, List<DetPlot.Curve> curves)
    {
        var labels = package.Labels.ToList();
        Ui.WriteJson(new
        {
            model = Path.GetFullPath(settings.Model!),
            stream = run.Directory,
            hours = run.Truth.Hours,
            splits = run.Truth.Splits,
            tolerance_s = settings.Tolerance,
            detector = new
            {
                infer_every = run.Settings.InferEvery,
                smoothing = run.Settings.Smoothing,
                min_count = run.Settings.MinCount,
                refractory_samples = run.Settings.RefractorySamples,
                thresholds = labels.Select((l, i) => new { label = l, threshold = run.Settings.Thresholds[i] }),
            },
            inferences = run.Trace.Count,
            events = run.Events.Count,
            truths = score.Truths,
            hits = score.Hits,
            recall = score.Recall,
            false_alarms = score.FalseAlarms,
            false_alarms_per_hour = score.FalseAlarmsPerHour,
            per_keyword = score.PerKeyword.Select(k => KeywordJson(k, labels.Contains(k.Label) ? run.Settings.Thresholds[labels.IndexOf(k.Label)] : null)),
            false_alarm_list = score.Detections.Where(d => d.Outcome != DetectionOutcome.Hit).Select(d => new
            {
                label = d.Event.Name, time_s = Math.Round(d.TimeS, 3), score = d.Event.Score, kind = Kind(d.Outcome),
            }),
            missed = score.Missed.Select(i => run.Truth.Keywords[i]).Select(k => new { label = k.Label, start_s = k.StartS, end_s = k.EndS, clip = k.Clip, snr_db = k.SnrDb }),
            det = curves.Select(c => new
            {
                label = c.Label,
                points = c.Points.Select(p => new { threshold = p.Threshold, miss_rate = p.MissRate, false_alarms_per_hour = p.FalseAlarmsPerHour }),
            }),
            det_png = Path.GetFullPath(settings.Png),
        });
    }

    internal static string Kind(DetectionOutcome outcome) => outcome switch
    {
        DetectionOutcome.Duplicate => "duplicate",
        DetectionOutcome.WrongLabel => "wrong_label",
        DetectionOutcome.Distractor => "distractor",
        DetectionOutcome.Background => "background",
        _ => "hit",
    };

    private static void WriteTables(StreamEvalSettings settings, ModelPackage package, StreamRun run, StreamScore score)
    {
        var labels = package.Labels.ToList();
        var table = new Table().Title($"[bold]hark stream-eval[/]: {run.Truth.Hours * 60:0.#} min, {run.Trace.Count} inferences, tolerance {settings.Tolerance:0.##} s")
            .AddColumns("keyword", "threshold", "hits", "recall", "false alarms", "FA/h", "FA at: same word / other keyword / distractor / background");
        foreach (var k in score.PerKeyword)
        {
            string threshold = labels.Contains(k.Label) ? run.Settings.Thresholds[labels.IndexOf(k.Label)].ToString(CultureInfo.InvariantCulture) : "-";
            table.AddRow(Markup.Escape(k.Label), threshold, $"{k.Hits} of {k.Truths}", Percent(k.Recall), $"{k.FalseAlarms}",
                $"{k.FalseAlarmsPerHour:0.##}", $"{k.Duplicates}/{k.WrongLabel}/{k.AtDistractors}/{k.InBackground}");
        }
        table.AddRow("[bold]all[/]", "", $"{score.Hits} of {score.Truths}", $"[bold]{Percent(score.Recall)}[/]", $"{score.FalseAlarms}",
            $"[bold]{score.FalseAlarmsPerHour:0.##}[/]", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"detector: {Markup.Escape(run.Settings.Summary)}");
        foreach (var d in score.Detections.Where(d => d.Outcome != DetectionOutcome.Hit).Take(settings.Show))
            AnsiConsole.MarkupLine($"[yellow]false alarm[/] {Markup.Escape(d.Event.Name)} at {d.TimeS:0.00} s (score {d.Event.Score}, {Kind(d.Outcome)})");
        foreach (var k in score.Missed.Take(settings.Show).Select(i => run.Truth.Keywords[i]))
            AnsiConsole.MarkupLine($"[grey]missed[/] {Markup.Escape(k.Label)} at {k.StartS:0.00}-{k.EndS:0.00} s (SNR {(k.SnrDb is { } s ? $"{s:0.#} dB" : "silence")}, {Markup.Escape(k.Clip)})");
        AnsiConsole.MarkupLine($"DET curve drawn to {Markup.Escape(Path.GetFullPath(settings.Png))}");
    }

    internal static string Percent(double? value) => value is { } v ? v.ToString("P1", CultureInfo.InvariantCulture) : "-";
}
