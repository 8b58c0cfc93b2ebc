using System.ComponentModel;
using Hark.Audio;
using Hark.Datasets;
using Hark.Engine;
using Hark.Export.C;
using Hark.Features;
using Hark.Verification;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class VerifySettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder (its model.hark) or a model.hark file.")]
    public string? Model { get; init; }

    [CommandOption("--data <DIR>")]
    [Description("Clips to check, in any supported layout (Speech Commands, folder per label, curated). Repeat to merge.")]
    public string[] Data { get; init; } = [];

    [CommandOption("--target <TARGET>")]
    [Description("host (gcc on this machine), cortex-m4 (arm-none-eabi-gcc + QEMU mps2-an386), or all (default: host, " +
                 "and cortex-m4 where its tools are installed).")]
    public string Target { get; init; } = "all";

    [CommandOption("--limit <N>")]
    [Description("Check at most N clips (spread evenly over the data). Default: every clip.")]
    public int? Limit { get; init; }

    [CommandOption("--sanitize")]
    [Description("host: build with AddressSanitizer and UndefinedBehaviorSanitizer.")]
    public bool Sanitize { get; init; }

    [CommandOption("--show <N>")]
    [Description("Print at most N mismatches per target. Default: every one (--json always lists them all).")]
    public int Show { get; init; } = int.MaxValue;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (Data.Length == 0) return ValidationResult.Error("--data DIR is required");
        if (Target.ToLowerInvariant() is not ("host" or "cortex-m4" or "all"))
            return ValidationResult.Error($"unknown --target '{Target}' (known: host, cortex-m4, all)");
        if (Limit is < 1) return ValidationResult.Error("--limit must be at least 1");
        if (Show < 0) return ValidationResult.Error("--show must not be negative");
        return ValidationResult.Success();
    }
}

/// <summary>
/// Proves the exported C library computes what Hark computed: every clip's int8 features and scores, and a stream's
/// detection events, on the host and on an emulated Cortex-M4, compared byte for byte with the reference engine.
/// Exit code 1 when anything differs.
/// </summary>
public sealed class VerifyCommand : Command<VerifySettings>
{
    public override int Execute(CommandContext context, VerifySettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        var targets = Targets(settings.Target.ToLowerInvariant(), out string? m4Skipped);
        var clips = LoadClips(settings, package.FrontEnd, out var unreadable);
        if (clips.Count == 0) throw new HarkException($"{string.Join(", ", settings.Data)}: no readable clips to verify");

        string work = Path.Combine(Path.GetTempPath(), $"hark-verify-{Guid.NewGuid():N}");
        var results = new List<TargetVerification>();
        M4Report? m4 = null;
        try
        {
            foreach (var target in targets)
            {
                results.Add(Ui.WithProgress($"verifying on {Name(target)} ({clips.Count} clips)", _ =>
                    LibraryVerifier.Verify(package, clips, target, Path.Combine(work, Name(target)), settings.Sanitize && target == CTarget.Host)));
                if (target == CTarget.CortexM4)
                    m4 = Ui.WithProgress("measuring the Cortex-M4 build", _ =>
                        M4Report.Measure(package, LibraryVerifier.StreamOf(clips, 2 * package.FrontEnd.SampleRate), Path.Combine(work, "m4-resources")));
            }
        }
        finally
        {
            if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        }

        int mismatches = results.Sum(r => r.Mismatches.Count);
        if (settings.Json) WriteJson(settings, package, clips.Count, unreadable, results, m4, m4Skipped, mismatches);
        else WriteTables(settings, package, clips.Count, unreadable, results, m4, m4Skipped);
        return mismatches == 0 ? CliRunner.Ok : CliRunner.Failed;
    }

    private static List<CTarget> Targets(string choice, out string? m4Skipped)
    {
        m4Skipped = null;
        if (choice == "host") return [CTarget.Host];
        if (choice == "cortex-m4") return [CTarget.CortexM4];
        string? missing = CLibraryExporter.MissingTools();
        if (missing is null) return [CTarget.Host, CTarget.CortexM4];
        m4Skipped = missing;
        return [CTarget.Host];
    }

    private static string Name(CTarget target) => target == CTarget.Host ? "host" : "cortex-m4";

    private static List<VerifyClip> LoadClips(VerifySettings settings, FrontEndConfig frontEnd, out List<SkippedEntry> unreadable)
    {
        var dataset = DatasetScanner.Scan(settings.Data.Select(Path.GetFullPath));
        var all = dataset.Clips.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        if (settings.Limit is { } limit && limit < all.Count)
            all = Enumerable.Range(0, limit).Select(i => all[(int)((long)i * all.Count / limit)]).ToList();
        unreadable = [.. dataset.Skipped];
        var clips = new List<VerifyClip>();
        foreach (var clip in all)
        {
            try
            {
                var audio = WavReader.ReadPipeline(clip.Path);
                if (audio.SampleRate != frontEnd.SampleRate)
                    throw new InputFileException(clip.Path, $"is {audio.SampleRate} Hz, the model needs {frontEnd.SampleRate} Hz");
                var samples = new short[audio.Samples.Length];
                FrontEnd.Quantize(audio.Samples, samples);
                clips.Add(new VerifyClip(clip.Path, samples));
            }
            catch (InputFileException e)
            {
                unreadable.Add(new SkippedEntry(clip.Path, e.Problem));
            }
        }
        return clips;
    }

    private static void WriteJson(VerifySettings settings, ModelPackage package, int clips, List<SkippedEntry> unreadable,
        List<TargetVerification> results, M4Report? m4, string? m4Skipped, int mismatches)
    {
        Ui.WriteJson(new
        {
            model = Path.GetFullPath(settings.Model!),
            package_sha256 = ModelSourceWriter.PackageDigest(package),
            clips,
            mismatches,
            mismatched_clips = results.Sum(r => r.MismatchedClips),
            unreadable = unreadable.Select(u => new { path = u.Path, reason = u.Reason }),
            cortex_m4_skipped = m4Skipped,
            targets = results.Select(r => new
            {
                target = Name(r.Target),
                clips = r.Clips,
                mismatches = r.Mismatches.Count,
                mismatched_clips = r.MismatchedClips,
                stream = new
                {
                    seconds = r.Stream.Seconds, identical = r.Stream.Identical, expected_events = r.Stream.ExpectedEvents,
                    events = r.Stream.ActualEvents, samples = r.Stream.Samples, frames = r.Stream.Frames, inferences = r.Stream.Inferences,
                },
                details = r.Mismatches.Select(m => new { clip = m.Clip, tensor = m.Tensor, index = m.Index, expected = m.Expected, actual = m.Actual }),
            }),
            flash_bytes = m4?.FlashBytes,
            ram_bytes = m4?.RamBytes,
            instructions_per_inference = m4?.InstructionsPerInference,
            instructions_per_hop = m4?.InstructionsPerHop,
            stack_bytes = m4?.StackBytes,
            estimated_ms_per_inference_at_80mhz = m4 is null ? (double?)null : M4Report.EstimatedMs(m4.InstructionsPerInference),
            cortex_m4 = m4 is null ? null : CLibraryExporter.ResourcesJson(m4),
        });
    }

    private static void WriteTables(VerifySettings settings, ModelPackage package, int clips, List<SkippedEntry> unreadable,
        List<TargetVerification> results, M4Report? m4, string? m4Skipped)
    {
        foreach (var r in results)
        {
            foreach (var m in r.Mismatches.Take(settings.Show))
                AnsiConsole.MarkupLine($"[red]mismatch[/] {Name(r.Target)} {Markup.Escape(m.Clip)}: {m.Tensor}[[{m.Index}]] C# {m.Expected}, C {m.Actual}");
            if (r.Mismatches.Count > settings.Show) AnsiConsole.MarkupLine($"[red]... {r.Mismatches.Count - settings.Show} more mismatches[/]");
        }
        var table = new Table().Title("[bold]hark verify[/]").AddColumns("", "");
        table.AddRow("model", $"{Markup.Escape(package.Metadata.ModelName)}: {Markup.Escape(string.Join(", ", package.Labels))}");
        foreach (var r in results)
        {
            string verdict = r.Mismatches.Count == 0 ? "[green]identical[/]" : $"[red]{r.MismatchedClips} clips differ[/]";
            table.AddRow(Name(r.Target), $"{r.Clips} clips: int8 features and scores {verdict}; stream of {r.Stream.Seconds:F0} s: " +
                         $"{r.Stream.ActualEvents} events, {(r.Stream.Identical ? "[green]identical[/]" : "[red]different[/]")}");
        }
        if (m4Skipped is not null) table.AddRow("cortex-m4", $"[grey]not checked: {Markup.Escape(m4Skipped)}[/]");
        if (unreadable.Count > 0) table.AddRow("unreadable", $"{unreadable.Count} files skipped, e.g. {Markup.Escape(unreadable[0].Path)}: {Markup.Escape(unreadable[0].Reason)}");
        if (results.Any(r => r.Target == CTarget.CortexM4)) ExportCommand.AddM4Rows(table, m4, null);
        AnsiConsole.Write(table);
    }
}
