using System.ComponentModel;
using Hark.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class ClipsSettings : JsonSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A WAV recording of one person repeating a word, with pauses between the repetitions.")]
    public string File { get; init; } = "";

    [CommandOption("--label <WORD>")]
    [Description("The word being said: clips go into the folder for this label.")]
    public string? Label { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Dataset folder to add the clips to (Speech Commands layout).")]
    public string? Out { get; init; }

    [CommandOption("--merge-gap <SECONDS>")]
    [Description("Sounds closer than this are one utterance (default 0.25; raise it for phrases).")]
    [DefaultValue(0.25)]
    public double MergeGap { get; init; } = 0.25;

    [CommandOption("--force")]
    [Description("Overwrite clips already cut from a recording with the same name.")]
    public bool Force { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Label)) return ValidationResult.Error("--label is required");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out is required");
        if (MergeGap is < 0 or > 5) return ValidationResult.Error("--merge-gap must be between 0 and 5 seconds");
        return ValidationResult.Success();
    }
}

/// <summary><c>hark clips</c>: one 1-second clip per utterance in a long recording.</summary>
public sealed class ClipsCommand : Command<ClipsSettings>
{
    public override int Execute(CommandContext context, ClipsSettings settings, CancellationToken cancellationToken)
    {
        var result = ClipCutter.Cut(settings.File, settings.Label!, settings.Out!, settings.Force,
            new DetectorOptions(MergeGapSeconds: settings.MergeGap));
        if (result.Utterances.Count == 0)
            throw new InputFileException(settings.File,
                $"no utterances found in {result.RecordingSeconds:0.0} s: nothing rises clearly above the background (check the recording level)");
        if (settings.Json)
        {
            Ui.WriteJson(result);
            return 0;
        }
        var table = new Table().AddColumns("#", "Start s", "End s", "Centre s", "Peak dBFS");
        for (int i = 0; i < result.Utterances.Count; i++)
        {
            var u = result.Utterances[i];
            table.AddRow($"{i}", $"{u.Start:0.00}", $"{u.End:0.00}", $"{u.Centre:0.00}", $"{u.PeakDb:0.0}");
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{result.ClipFiles.Count} clips -> {Markup.Escape(result.OutputFolder)}");
        long tooLong = result.Utterances.Count(u => u.Duration > 1.0);
        if (tooLong > 0) AnsiConsole.MarkupLine($"[yellow]{tooLong} utterance(s) last over 1 s and were cut to the central second.[/]");
        return 0;
    }
}
