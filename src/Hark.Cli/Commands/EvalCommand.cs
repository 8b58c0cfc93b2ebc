using System.ComponentModel;
using Hark.Cli.Plots;
using Hark.Datasets;
using Hark.Engine;
using Hark.Evaluation;
using Hark.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public enum SplitChoice { Auto, All, Train, Validation, Test }

public sealed class EvalSettings : SpeakerSplitSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder written by hark train.")]
    public string? Model { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Dataset folder in any supported layout (Speech Commands, folder per label, curated). Repeat to merge.")]
    public string[] Data { get; init; } = [];

    [CommandOption("--protocol <NAME>")]
    [Description("model (default): the model's keywords, other words as _unknown_, background as _silence_. " +
                 "sc12: the standard 12-class Speech Commands protocol (needs a model trained on those 12 labels).")]
    public string Protocol { get; init; } = "model";

    [CommandOption("--split <SPLIT>")]
    [Description("Which clips to score: auto (default: the test split of a curated set, every clip otherwise), " +
                 "all, train, validation or test. Use test on a folder that also fed training to score only held-out speakers.")]
    public SplitChoice Split { get; init; } = SplitChoice.Auto;




    [CommandOption("--int8")]
    [Description("Score the int8 model (RUN/model.hark) on the reference int8 engine, as it will run on the device. " +
                 "Needs no TorchSharp.")]
    public bool Int8 { get; init; }

    [CommandOption("--png <PATH>")]
    [Description("Where to draw the confusion matrix. Default ./eval-confusion.png.")]
    public string Png { get; init; } = "eval-confusion.png";

    public ProtocolKind ProtocolKind => Protocol.ToLowerInvariant() switch
    {
        "model" => ProtocolKind.Model,
        "sc12" => ProtocolKind.Sc12,
        _ => throw new InvalidOperationException("validated"),
    };

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (Data.Length == 0) return ValidationResult.Error("--data DIR is required");
        if (Protocol.ToLowerInvariant() is not ("model" or "sc12"))
            return ValidationResult.Error($"unknown --protocol '{Protocol}' (known: model, sc12)");
        if (!Png.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return ValidationResult.Error("--png must end in .png");
        try { SplitOptions.Validate(); }
        catch (HarkException e) { return ValidationResult.Error(e.Message); }
        return ValidationResult.Success();
    }
}

public sealed class EvalCommand : Command<EvalSettings>
{
    public override int Execute(CommandContext context, EvalSettings settings, CancellationToken cancellationToken)
    {
        var clips = SelectClips(settings.Data, settings.Split, out string splitUsed,
            settings.SplitOptions);
        using IKeywordClassifier model = settings.Int8 ? Int8Engine.Load(settings.Model!) : LoadFloat(settings.Model!);
        var report = Ui.WithProgress("evaluating", progress =>
            Evaluator.Run(model, clips, settings.ProtocolKind, progress, cancellationToken));
        TrainingPlots.SaveConfusion(report.Labels, report.Confusion, settings.Png);

        if (settings.Json)
        {
            Ui.WriteJson(new
            {
                model = Path.GetFullPath(settings.Model!),
                data = settings.Data.Select(Path.GetFullPath).ToArray(),
                protocol = settings.ProtocolKind.ToString().ToLowerInvariant(),
                split = splitUsed,
                int8 = settings.Int8,
                report.Accuracy,
                report.Labels,
                report.Confusion,
                per_class = report.PerClass,
                detection = report.Detection,
                report.Clips,
                report.Unscored,
                report.Skipped,
                confusion_png = Path.GetFullPath(settings.Png),
            });
        }
        else
        {
            WriteTables(report, splitUsed, settings.Int8, settings.Png);
        }
        return CliRunner.Ok;
    }

    // Kept out of Execute so that --int8 never loads the TorchSharp assemblies.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IKeywordClassifier LoadFloat(string run) => TrainedModel.Load(run);

    /// <summary>
    /// Scanning with re-splitting on means a folder that curation split by salted speaker hash is split the same
    /// way here, so <c>--split test</c> names exactly the speakers curation held out.
    /// </summary>
    internal static IReadOnlyList<LabeledClip> SelectClips(IReadOnlyList<string> roots, SplitChoice choice, out string splitUsed,
        SplitOptions? split = null)
    {
        bool curated = roots.Count == 1 && File.Exists(Path.Combine(roots[0], CuratedDataset.InfoFile));
        var dataset = DatasetScanner.Scan(roots, split);
        foreach (var s in dataset.Skipped) Ui.Err.MarkupLine($"[yellow]skipped {Markup.Escape(s.Path)}: {Markup.Escape(s.Reason)}[/]");
        var effective = choice == SplitChoice.Auto ? (curated ? SplitChoice.Test : SplitChoice.All) : choice;
        splitUsed = effective.ToString().ToLowerInvariant();
        var selected = effective switch
        {
            SplitChoice.All => dataset.Clips,
            SplitChoice.Train => dataset.ClipsIn(Split.Train).ToList(),
            SplitChoice.Validation => dataset.ClipsIn(Split.Validation).ToList(),
            _ => dataset.ClipsIn(Split.Test).ToList(),
        };
        if (selected.Count == 0)
            throw new HarkException($"{string.Join(", ", roots)}: no clips in the {splitUsed} split");
        return selected;
    }

    private static void WriteTables(EvaluationReport report, string split, bool int8, string png)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine($"[bold]{(int8 ? "int8" : "float")} accuracy {report.Accuracy:P2}[/] on {report.Clips} clips " +
                           $"({report.Protocol.ToString().ToLowerInvariant()} protocol, {split} split)");
        var classes = new Table().AddColumns("label", "precision", "recall", "clips");
        foreach (var c in report.PerClass)
            classes.AddRow(Markup.Escape(c.Label), $"{c.Precision:P1}", $"{c.Recall:P1}", c.Support.ToString());
        console.Write(classes);
        if (report.Detection.Count > 0)
        {
            var detection = new Table().Title("keyword scores against every other clip (threshold-free)")
                .AddColumns("keyword", "AUC", "recall at 1 % false accepts");
            foreach (var d in report.Detection)
                detection.AddRow(Markup.Escape(d.Label), $"{d.Auc:F4}", $"{d.RecallAtOnePercentFalseAccepts:P1}");
            console.Write(detection);
        }

        var confusion = new Table().Title("confusion (rows: truth, columns: prediction)");
        confusion.AddColumn("");
        foreach (var l in report.Labels) confusion.AddColumn(Markup.Escape(l));
        for (int t = 0; t < report.Labels.Count; t++)
            confusion.AddRow([Markup.Escape(report.Labels[t]), .. report.Confusion[t].Select(n => n.ToString())]);
        console.Write(confusion);

        foreach (var (label, n) in report.Unscored)
            console.MarkupLine($"[grey]not scored: {n} clips of '{Markup.Escape(label)}' (the model has no class for them)[/]");
        if (report.Skipped.Count > 0)
            console.MarkupLine($"[yellow]{report.Skipped.Count} unreadable clips skipped (listed with --json)[/]");
        console.MarkupLine($"confusion matrix drawn to {Markup.Escape(Path.GetFullPath(png))}");
    }
}
