using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Hark.Datasets;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class StreamBenchSettings : SpeakerSplitSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Clips and background noise in any supported layout (Speech Commands, folder per label, curated, hark synth " +
                 "output). Repeat to merge. Keyword clips are placed to be found; every other word (not _silence_) is a " +
                 "distractor that must not fire; the _background_noise_ recordings are the background.")]
    public string[] Data { get; init; } = [];

    [CommandOption("--keywords <WORDS>")]
    [Description("Comma-separated keywords, e.g. yes,no. They take turns, so each gets the same number of placements.")]
    public string? Keywords { get; init; }

    [CommandOption("--minutes <M>")]
    [Description("Length of the stream in minutes (up to 1080).")]
    public double Minutes { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Output folder for stream.wav and truth.json; must be outside every --data folder.")]
    public string? Out { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Random seed: the same inputs and seed give byte-identical files. Default 1.")]
    public int Seed { get; init; } = 1;

    [CommandOption("--split <SPLIT>")]
    [Description("Which speakers (and which stretches of each noise recording) to use: all (default), train, validation, " +
                 "test, or a comma list like train,test. The speaker hash is curation's, so --split test holds only speakers a " +
                 "model curated from the same data never trained on; make a calibration stream from another split.")]
    public string Split { get; init; } = "all";

    [CommandOption("--keywords-per-minute <N>")]
    [Description("Keyword clips per minute on average. Default 6.")]
    public double KeywordsPerMinute { get; init; } = 6;

    [CommandOption("--distractors-per-minute <N>")]
    [Description("Non-keyword clips per minute on average (0 for none). Default 6.")]
    public double DistractorsPerMinute { get; init; } = 6;

    [CommandOption("--snr-db <MIN,MAX>")]
    [Description("Range of word-to-background ratios in dB (RMS over the word). Default 5,20.")]
    public string SnrDb { get; init; } = "5,20";

    [CommandOption("--noise-db <MIN,MAX>")]
    [Description("Range of background levels in dBFS RMS, drawn per noise cut. Default -45,-30.")]
    public string NoiseDb { get; init; } = "-45,-30";

    [CommandOption("--min-gap <SECONDS>")]
    [Description("Least time between two placed words (the end of one cut to the start of the next), seconds. Default 2: more than the 1 s matching tolerance.")]
    public double MinGap { get; init; } = 2;

    [CommandOption("--silence-gaps <P>")]
    [Description("Share of background cuts that are digital silence (0.5-3 s) instead of noise. Default 0.1.")]
    public double SilenceGaps { get; init; } = 0.1;




    [CommandOption("--force")]
    [Description("Replace an existing non-empty output folder (only after the new one is complete).")]
    public bool Force { get; init; }

    public IReadOnlyList<string> KeywordLabels =>
        (Keywords ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Labels.ToFolderName).ToArray();

    /// <summary>The splits asked for, or null for all; throws on a name that is not a split (Validate reports it first).</summary>
    public IReadOnlyList<Split>? Splits => ParseSplits(Split);

    internal static IReadOnlyList<Split>? ParseSplits(string text)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => n.ToLowerInvariant()).ToList();
        if (names.Count == 0) throw new FormatException("no split named");
        if (names.Contains("all")) return names.Count == 1 ? null : throw new FormatException("'all' cannot be combined with other splits");
        return names.Select(n => n switch
        {
            "train" => Datasets.Split.Train,
            "validation" => Datasets.Split.Validation,
            "test" => Datasets.Split.Test,
            _ => throw new FormatException($"unknown split '{n}'"),
        }).Distinct().ToList();
    }

    internal static (double Min, double Max)? Range(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double single)) return (single, single);
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double min)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double max)
            && min <= max)
            return (min, max);
        return null;
    }

    public override ValidationResult Validate()
    {
        if (Data.Length == 0) return ValidationResult.Error("--data DIR is required");
        if (KeywordLabels.Count == 0) return ValidationResult.Error("--keywords is required, e.g. --keywords yes,no");
        if (!(Minutes > 0)) return ValidationResult.Error("--minutes M is required and must be > 0");
        if (Minutes > StreamBenchOptions.MaxMinutes) return ValidationResult.Error($"--minutes must be at most {StreamBenchOptions.MaxMinutes} (a 16-bit WAV's limit)");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
        try { _ = Splits; }
        catch (FormatException e) { return ValidationResult.Error($"--split: {e.Message} (known: all, train, validation, test, or a comma list)"); }
        if (!(KeywordsPerMinute > 0 && KeywordsPerMinute <= 30)) return ValidationResult.Error("--keywords-per-minute must be in (0, 30]");
        if (!(DistractorsPerMinute >= 0 && DistractorsPerMinute <= 30)) return ValidationResult.Error("--distractors-per-minute must be in [0, 30]");
        if (Range(SnrDb) is null) return ValidationResult.Error($"--snr-db must be MIN,MAX in dB with MIN <= MAX, got '{SnrDb}'");
        if (Range(NoiseDb) is not { } noise || noise.Max > -3 || noise.Min < -90)
            return ValidationResult.Error($"--noise-db must be MIN,MAX in dBFS with -90 <= MIN <= MAX <= -3, got '{NoiseDb}'");
        if (!(MinGap >= 0 && MinGap <= 60)) return ValidationResult.Error("--min-gap must be in [0, 60] seconds");
        if (!(SilenceGaps >= 0 && SilenceGaps <= 1)) return ValidationResult.Error("--silence-gaps must be in [0, 1]");
        return ValidationResult.Success();
    }
}

/// <summary>
/// <c>hark stream-bench</c>: a long recording of keywords and distractors over continuous background noise, with the
/// truth of where every word is (see <see cref="StreamBuilder"/> and <see cref="StreamBenchOptions"/>).
/// </summary>
public sealed class StreamBenchCommand : Command<StreamBenchSettings>
{
    public override int Execute(CommandContext context, StreamBenchSettings settings, CancellationToken cancellationToken)
    {
        var (snrMin, snrMax) = StreamBenchSettings.Range(settings.SnrDb)!.Value;
        var (noiseMin, noiseMax) = StreamBenchSettings.Range(settings.NoiseDb)!.Value;
        var options = new StreamBenchOptions
        {
            DataRoots = settings.Data,
            Keywords = settings.KeywordLabels,
            Minutes = settings.Minutes,
            OutputDir = settings.Out!,
            Seed = settings.Seed,
            Splits = settings.Splits,
            KeywordsPerMinute = settings.KeywordsPerMinute,
            DistractorsPerMinute = settings.DistractorsPerMinute,
            SnrMinDb = snrMin,
            SnrMaxDb = snrMax,
            NoiseMinDb = noiseMin,
            NoiseMaxDb = noiseMax,
            MinGapSeconds = settings.MinGap,
            SilenceGapProbability = settings.SilenceGaps,
            Force = settings.Force,
            Split = settings.SplitOptions,
        };
        var clock = Stopwatch.StartNew();
        var truth = Ui.WithProgress("building stream", progress => StreamBuilder.Build(options, progress, cancellationToken));
        double seconds = Math.Round(clock.Elapsed.TotalSeconds, 2);
        string output = Path.GetFullPath(settings.Out!);
        var perKeyword = truth.KeywordLabels.ToDictionary(k => k, k => truth.Keywords.Count(p => p.Label == k));
        var speakers = truth.Keywords.Concat(truth.Distractors).Select(p => p.Speaker ?? p.Clip).Distinct().Count();
        var distinctClips = truth.Keywords.Concat(truth.Distractors).Select(p => p.Clip).Distinct().Count();

        if (settings.Json)
        {
            Ui.WriteJson(new
            {
                output,
                stream = Path.Combine(output, StreamTruth.WavFileName),
                truth = Path.Combine(output, StreamTruth.FileName),
                duration_s = truth.DurationS,
                splits = truth.Splits,
                keywords = perKeyword,
                distractors = truth.Distractors.Count,
                distinct_clips = distinctClips,
                speakers,
                background_segments = truth.Background.Count,
                noise_recordings = truth.NoiseRecordings,
                skipped = truth.Skipped,
                seconds,
            });
            return CliRunner.Ok;
        }

        var table = new Table().Title("[bold]hark stream-bench[/]").AddColumns("", "");
        table.AddRow("stream", $"{Markup.Escape(Path.Combine(output, StreamTruth.WavFileName))} ({truth.DurationS / 60:0.#} min, {string.Join(",", truth.Splits)} split)");
        table.AddRow("keywords", Markup.Escape(string.Join(", ", perKeyword.Select(p => $"{p.Key} {p.Value}"))));
        table.AddRow("distractors", truth.Distractors.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("sources", $"{distinctClips} distinct clips from {speakers} speakers; {truth.NoiseRecordings.Count} noise recordings in {truth.Background.Count} cuts");
        table.AddRow("time", $"{seconds.ToString(CultureInfo.InvariantCulture)} s");
        AnsiConsole.Write(table);
        if (truth.Skipped.Count > 0)
        {
            AnsiConsole.MarkupLine($"[yellow]Skipped {truth.Skipped.Count} input(s) (listed in truth.json), e.g. {Markup.Escape(truth.Skipped[0].Path)}: {Markup.Escape(truth.Skipped[0].Reason)}[/]");
        }
        return CliRunner.Ok;
    }
}
