using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Hark.Curation;
using Hark.Datasets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class CurateSettings : SpeakerSplitSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Dataset folder (one folder per word, Speech Commands layout). Repeat to merge several.")]
    public string[] Data { get; init; } = [];

    [CommandOption("--keywords <WORDS>")]
    [Description("Comma-separated keywords in model order, e.g. yes,no or \"trick or treat\".")]
    public string? Keywords { get; init; }

    [CommandOption("--per-class <N>")]
    [Description("Training clips per class (oversampled or undersampled to exactly N); val/test get proportionally fewer, without repeats.")]
    public int PerClass { get; init; }

    [CommandOption("--unknown-per-class <N>")]
    [Description("Training clips of _unknown_, when it should be larger than the other classes (default: --per-class).")]
    public int? UnknownPerClass { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder; must be outside every --data folder.")]
    public string? Out { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Random seed: same inputs and seed give byte-identical output. Default 0.")]
    public int Seed { get; init; }

    [CommandOption("--force")]
    [Description("Replace an existing non-empty output folder (only after the new one is complete).")]
    public bool Force { get; init; }

    [CommandOption("--snr-db <MIN,MAX>")]
    [Description("Range of speech-to-noise ratios in dB for mixed clips. Default 5,20.")]
    public string SnrDb { get; init; } = "5,20";

    [CommandOption("--noise-prob <P>")]
    [Description("Fraction of word clips that get background noise. Default 0.8.")]
    public double NoiseProb { get; init; } = 0.8;

    [CommandOption("--word-volume <GAIN>")]
    [Description("Linear gain on word clips before mixing: changes loudness, not SNR. Default 1.")]
    public double WordVolume { get; init; } = 1.0;

    [CommandOption("--background-volume <GAIN>")]
    [Description("Linear gain on the noise after SNR scaling (0.5 = SNR +6 dB), and the loudest level of silence clips. Default 1.")]
    public double BackgroundVolume { get; init; } = 1.0;




    public IReadOnlyList<string> KeywordLabels =>
        (Keywords ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(Labels.ToFolderName).ToArray();

    public (double Min, double Max)? SnrRange
    {
        get
        {
            var parts = SnrDb.Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length == 1 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double single))
                return (single, single);
            if (parts.Length == 2
                && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
                && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
                && min <= max)
                return (min, max);
            return null;
        }
    }

    public override ValidationResult Validate()
    {
        if (Data.Length == 0) return ValidationResult.Error("--data DIR is required");
        if (KeywordLabels.Count == 0) return ValidationResult.Error("--keywords is required, e.g. --keywords yes,no");
        if (PerClass < 1) return ValidationResult.Error("--per-class N is required and must be at least 1");
        if (UnknownPerClass is < 1) return ValidationResult.Error("--unknown-per-class must be at least 1");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
        if (SnrRange is null) return ValidationResult.Error($"--snr-db must be MIN,MAX in dB with MIN <= MAX, got '{SnrDb}'");
        if (NoiseProb is < 0 or > 1) return ValidationResult.Error("--noise-prob must be in [0, 1]");
        if (!(WordVolume > 0)) return ValidationResult.Error("--word-volume must be > 0");
        if (!(BackgroundVolume >= 0)) return ValidationResult.Error("--background-volume must be >= 0");
        return ValidationResult.Success();
    }
}

/// <summary><c>hark curate</c>: see <see cref="Curator"/> for what it builds and guarantees.</summary>
public sealed class CurateCommand : Command<CurateSettings>
{
    public override int Execute(CommandContext context, CurateSettings settings, CancellationToken cancellationToken)
    {
        var (snrMin, snrMax) = settings.SnrRange!.Value;
        var options = new CurationOptions
        {
            DataRoots = settings.Data,
            Keywords = settings.KeywordLabels,
            PerClass = settings.PerClass,
            UnknownPerClass = settings.UnknownPerClass,
            OutputDir = settings.Out!,
            Seed = settings.Seed,
            Force = settings.Force,
            SnrDbMin = snrMin,
            SnrDbMax = snrMax,
            NoiseProbability = settings.NoiseProb,
            WordVolume = settings.WordVolume,
            BackgroundVolume = settings.BackgroundVolume,
            Split = settings.SplitOptions,
        };

        var clock = Stopwatch.StartNew();
        var summary = Ui.WithProgress("Curating", progress => Curator.Run(options, progress, cancellationToken));
        double seconds = Math.Round(clock.Elapsed.TotalSeconds, 2);
        string output = Path.GetFullPath(settings.Out!);

        if (settings.Json)
        {
            Ui.WriteJson(new { Output = output, summary.Labels, summary.Counts, summary.Skipped, summary.NoiseFiles, summary.ResplitInputs, Seconds = seconds });
            return CliRunner.Ok;
        }

        var table = new Table().AddColumn("class");
        foreach (string split in summary.Counts.Keys) table.AddColumn(new TableColumn(split).RightAligned());
        foreach (string label in summary.Labels)
            table.AddRow([Markup.Escape(label), .. summary.Counts.Values.Select(c => c[label].ToString(CultureInfo.InvariantCulture))]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Wrote [bold]{Markup.Escape(output)}[/] in {seconds.ToString(CultureInfo.InvariantCulture)} s.");
        foreach (string root in summary.ResplitInputs)
            AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(root)}: every speaker hashed outside train (one Speech Commands split?), so its speakers were re-split with a salted hash.[/]");
        if (summary.NoiseFiles.Count == 0)
            AnsiConsole.MarkupLine("[yellow]No _background_noise_ recordings found: no noise mixed; silence clips are generated hiss.[/]");
        if (summary.Skipped.Count > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]Skipped {summary.Skipped.Count} input(s):[/]");
            foreach (var s in summary.Skipped)
                AnsiConsole.WriteLine($"  {s.Path}: {s.Reason}");
        }
        return CliRunner.Ok;
    }
}
