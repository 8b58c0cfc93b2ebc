using System.ComponentModel;
using Hark.Synthesis;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class SynthSettings : JsonSettings
{
    [CommandOption("--words <WORDS>")]
    [Description("Comma-separated words or short phrases, e.g. yes,no,\"trick or treat\".")]
    public string? Words { get; init; }

    [CommandOption("--per-word <N>")]
    [Description("Clips per word (default 200).")]
    [DefaultValue(200)]
    public int PerWord { get; init; } = 200;

    [CommandOption("--out <DIR>")]
    [Description("Output dataset folder (Speech Commands layout).")]
    public string? Out { get; init; }

    [CommandOption("--seed <SEED>")]
    [Description("Seed for voices, variations and noise (default 1). Same seed, same bytes.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    [CommandOption("--repetitions <N>")]
    [Description("Takes of each word per synthetic speaker (default 1).")]
    [DefaultValue(1)]
    public int Repetitions { get; init; } = 1;

    [CommandOption("--jobs <N>")]
    [Description("Synthesizer processes at once (default: number of cores).")]
    public int? Jobs { get; init; }

    [CommandOption("--noise-seconds <SECONDS>")]
    [Description("Length of each generated background-noise file (default 45).")]
    [DefaultValue(45.0)]
    public double NoiseSeconds { get; init; } = 45;

    [CommandOption("--no-noise")]
    [Description("Do not write the _background_noise_ folder.")]
    public bool NoNoise { get; init; }

    [CommandOption("--force")]
    [Description("Replace the output folder if it exists and is not empty.")]
    public bool Force { get; init; }

    public IReadOnlyList<string> WordList =>
        (Words ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override ValidationResult Validate()
    {
        if (WordList.Count == 0) return ValidationResult.Error("--words is required, e.g. --words yes,no");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
        if (PerWord < 1) return ValidationResult.Error("--per-word must be at least 1");
        if (Repetitions < 1) return ValidationResult.Error("--repetitions must be at least 1");
        if (Jobs is < 1) return ValidationResult.Error("--jobs must be at least 1");
        if (NoiseSeconds is <= 0 or > 600) return ValidationResult.Error("--noise-seconds must be above 0 and at most 600");
        return ValidationResult.Success();
    }
}

/// <summary><c>hark synth</c>: a keyword dataset from espeak-ng and flite, with no downloads.</summary>
public sealed class SynthCommand : Command<SynthSettings>
{
    public override int Execute(CommandContext context, SynthSettings settings, CancellationToken cancellationToken)
    {
        var options = new SynthesisOptions(settings.WordList, settings.PerWord, settings.Out!, settings.Seed,
            settings.Repetitions, settings.NoNoise ? 0 : settings.NoiseSeconds, settings.Jobs ?? 0, settings.Force);
        var summary = Ui.WithProgress("Synthesizing", progress => DatasetSynthesizer.Run(options, progress, cancellationToken));
        if (settings.Json)
        {
            Ui.WriteJson(summary);
            return 0;
        }
        var table = new Table().AddColumns("Word", "Clips");
        foreach (var (word, clips) in summary.ClipsPerWord) table.AddRow(Markup.Escape(word), clips.ToString());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(
            $"{summary.Speakers} synthetic speakers on {summary.VoicesUsed.Count} voices (of {summary.Accents.Count} espeak-ng accents x " +
            $"{summary.EspeakVariantsAvailable} variants and {summary.FliteVoices.Count} flite voices); {summary.NoiseFiles.Count} background-noise files.");
        AnsiConsole.MarkupLine($"{summary.Seconds:0.0} s, {summary.ClipsPerSecond:0.0} clips/s with {summary.Jobs} jobs -> {Markup.Escape(summary.OutputDirectory)}");
        return 0;
    }
}
