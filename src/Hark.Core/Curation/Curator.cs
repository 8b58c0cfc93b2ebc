using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hark.Audio;
using Hark.Datasets;

namespace Hark.Curation;

/// <summary>
/// Builds a balanced, speaker-disjoint, noise-mixed dataset (layout: <see cref="CuratedDataset"/>) from one or
/// more dataset folders. Classes are the keywords, <c>_unknown_</c> (every other word, spread evenly over words
/// and speakers) and <c>_silence_</c> (<c>_silence_</c> clips and 1-s windows of background noise).
/// Splits come from the inputs (list files, else the speaker hash), so no speaker crosses splits; see
/// <see cref="CurationPlanner"/> for the per-split counts and <see cref="CurationOptions"/> for mixing levels.
/// <para>Safety: inputs are only read; the output may not overlap any input; an existing non-empty output is
/// refused unless <see cref="CurationOptions.Force"/>; everything is built in a sibling <c>OUT.tmp-*</c> folder
/// and renamed into place only when complete. Unreadable inputs are skipped and listed in the summary.</para>
/// <para>Determinism: each clip draws from its own random stream named by class and number, and files are named
/// by plan, so the same inputs and seed give byte-identical output with any number of threads.</para>
/// </summary>
public static class Curator
{
    private const int Rate = AudioClip.PipelineRate;
    private const int ClipLength = AudioClip.PipelineRate;
    /// <summary>Just under full scale, so the 16-bit writer never saturates a mix.</summary>
    private const float MaxPeak = 0.99f;

    public static CurationSummary Run(
        CurationOptions options, IProgress<ProgressReport>? progress = null, CancellationToken cancel = default)
    {
        options = options with { Keywords = options.Keywords.Select(Labels.ToFolderName).ToArray() };
        options.Validate();
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.OutputDir));
        var roots = options.DataRoots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        CheckOutputIsSafe(output, roots, options.Force);

        var dataset = DatasetScanner.Scan(roots, options.Split);
        foreach (string keyword in options.Keywords)
            if (!dataset.Labels.Contains(keyword))
                throw new HarkException(
                    $"keyword '{keyword}' not found in {string.Join(", ", roots)} (words there: {Preview(dataset.Labels)})");

        var skipped = dataset.Skipped.ToList();
        var noise = NoiseBank.Load(dataset.BackgroundNoise, options.Split, skipped);
        string building = $"{output}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            var rows = RenderReadableSources(dataset.Clips, options, noise, building, skipped, progress, cancel);
            skipped.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            var summary = Summarize(options, dataset, noise, rows, skipped);
            WriteListsAndManifest(building, rows);
            File.WriteAllBytes(Path.Combine(building, CuratedDataset.InfoFile), JsonSerializer.SerializeToUtf8Bytes(summary, Json));
            MoveIntoPlace(building, output);
            return summary;
        }
        catch
        {
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
            throw;
        }
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    internal static void CheckOutputIsSafe(string output, IReadOnlyList<string> roots, bool force)
    {
        foreach (string root in roots)
        {
            if (IsSameOrInside(output, root))
                throw new HarkException($"output folder {output} is inside input folder {root}; choose a folder outside every --data folder");
            if (IsSameOrInside(root, output))
                throw new HarkException($"input folder {root} is inside output folder {output}; choose another output folder");
        }
        if (File.Exists(output)) throw new HarkException($"{output}: output exists and is a file");
        if (!force && Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new HarkException($"{output}: output folder exists and is not empty (pass --force to replace it)");
    }

    internal static bool IsSameOrInside(string path, string folder)
    {
        string relative = Path.GetRelativePath(folder, path);
        return !Path.IsPathRooted(relative) && relative != ".."
            && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static string Preview(IReadOnlyList<string> labels) =>
        labels.Count == 0 ? "none" : string.Join(", ", labels.Take(12)) + (labels.Count > 12 ? ", ..." : "");

    /// <summary>
    /// Plans and renders; when some sources turn out unreadable, drops them, re-plans and renders again from
    /// scratch, so the output is exactly what a run without those files would give. Reading each source while
    /// rendering (not in a separate checking pass) keeps the common case to one read per distinct source.
    /// </summary>
    private static ManifestRow[] RenderReadableSources(
        IReadOnlyList<LabeledClip> clips, CurationOptions options, NoiseBank noise, string building,
        List<SkippedEntry> skipped, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var usable = clips.ToList();
        while (true)
        {
            var plan = CurationPlanner.Plan(usable, options, hasNoise: !noise.IsEmpty);
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
            Directory.CreateDirectory(building);
            foreach (string label in plan.Select(p => p.Label).Distinct())
                Directory.CreateDirectory(Path.Combine(building, label));

            var sources = new SourceCache(plan.Where(p => p.Source is not null).Select(p => p.Source!.Path), ClipLength);
            var rows = new ManifestRow?[plan.Count];
            var failures = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            int done = 0;
            Parallel.For(0, plan.Count, ParallelOptions(options, cancel),
                () => (Clip: new float[ClipLength], Noise: new float[ClipLength]),
                (i, _, buffers) =>
                {
                    try { rows[i] = RenderOne(plan[i], options, noise, sources, building, buffers.Clip, buffers.Noise); }
                    catch (WavFormatException e) { failures.TryAdd(e.FilePath, e.Problem); }
                    int count = Interlocked.Increment(ref done);
                    if (progress is not null && (count % 64 == 0 || count == plan.Count))
                        progress.Report(new ProgressReport((double)count / plan.Count, "mixing"));
                    return buffers;
                },
                _ => { });
            if (failures.IsEmpty) return rows.Select(r => r!).ToArray();

            skipped.AddRange(failures.Select(f => new SkippedEntry(f.Key, f.Value)));
            usable.RemoveAll(c => failures.ContainsKey(c.Path));
        }
    }

    private static ManifestRow RenderOne(
        PlannedClip item, CurationOptions options, NoiseBank noise, SourceCache sources, string building,
        float[] clip, float[] noiseWindow)
    {
        var random = DeterministicRandom.For(options.Seed, $"clip/{item.Label}/{item.Number}");
        string? noiseFile = null;
        int? noiseOffset = null;
        double? snrDb = null;
        string source;
        double gain;

        if (item.Label == Labels.Silence)
        {
            if (item.Source is not null)
            {
                source = item.Source.Path;
                sources.CopyTo(source, clip);
            }
            else if (!noise.IsEmpty)
            {
                var (recording, offset) = noise.Draw(item.Split, random, clip);
                source = noiseFile = noise.Paths[recording];
                noiseOffset = offset;
            }
            else
            {
                // No background recordings at all: a faint hiss (-70 to -40 dBFS) still teaches "no speech".
                source = "generated";
                double level = Math.Pow(10, random.NextDouble(-70, -40) / 20);
                for (int i = 0; i < clip.Length; i++) clip[i] = (float)(level * random.NextGaussian());
            }
            gain = options.BackgroundVolume * (1 - random.NextDouble());
            ClipShaping.Scale(clip, (float)gain);
        }
        else
        {
            source = item.Source!.Path;
            sources.CopyTo(source, clip);
            gain = options.WordVolume;
            if (item.Split == Split.Train)
            {
                int maxShift = (int)(options.MaxShiftMs * Rate / 1000);
                ClipShaping.Shift(clip, random.NextInt(-maxShift, maxShift + 1));
                gain *= Math.Pow(10, random.NextDouble(-options.GainJitterDb, options.GainJitterDb) / 20);
            }
            ClipShaping.Scale(clip, (float)gain);

            if (!noise.IsEmpty && options.BackgroundVolume > 0 && random.NextDouble() < options.NoiseProbability)
            {
                var (recording, offset) = noise.Draw(item.Split, random, noiseWindow);
                double drawnSnr = random.NextDouble(options.SnrDbMin, options.SnrDbMax);
                double speechRms = ClipShaping.Rms(clip), noiseRms = ClipShaping.Rms(noiseWindow);
                if (speechRms > 0 && noiseRms > 0)
                {
                    double noiseGain = speechRms / (noiseRms * Math.Pow(10, drawnSnr / 20)) * options.BackgroundVolume;
                    ClipShaping.AddScaled(clip, noiseWindow, (float)noiseGain);
                    snrDb = drawnSnr - 20 * Math.Log10(options.BackgroundVolume);
                    noiseFile = noise.Paths[recording];
                    noiseOffset = offset;
                }
            }
        }

        float peak = ClipShaping.Peak(clip);
        if (peak > MaxPeak)
        {
            ClipShaping.Scale(clip, MaxPeak / peak);
            gain *= MaxPeak / peak;
        }

        string relative = $"{item.Label}/{OutputName(item)}";
        WavWriter.WritePcm16(Path.Combine(building, relative), clip, Rate);
        return new ManifestRow(relative, item.Label, item.Split, source, item.Source?.Speaker, gain, snrDb, noiseFile, noiseOffset);
    }

    /// <summary>Keeps the Speech Commands name form so the speaker survives a re-scan of the curated folder.</summary>
    private static string OutputName(PlannedClip item) =>
        item.Source?.Speaker is { } speaker
            ? $"{speaker}{SpeakerNames.NoHashMarker}{item.Number}.wav"
            : $"clip-{item.Number:D5}.wav";

    private static ParallelOptions ParallelOptions(CurationOptions options, CancellationToken cancel) =>
        new() { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancel };

    private static CurationSummary Summarize(
        CurationOptions options, Dataset dataset, NoiseBank noise, ManifestRow[] rows, List<SkippedEntry> skipped)
    {
        var labels = Labels.ForKeywords(options.Keywords);
        var counts = new Dictionary<string, IReadOnlyDictionary<string, int>>();
        foreach (Split split in (Split[])[Split.Train, Split.Validation, Split.Test])
            counts[CurationSummary.SplitName(split)] =
                labels.ToDictionary(l => l, l => rows.Count(r => r.Split == split && r.Label == l));
        var settings = new CurationSettings(
            options.SnrDbMin, options.SnrDbMax, options.NoiseProbability, options.WordVolume, options.BackgroundVolume,
            options.MaxShiftMs, options.GainJitterDb, options.Split.ValidationPercent, options.Split.TestPercent,
            options.Split.Salt);
        return new CurationSummary(CurationSummary.CurrentFormat, labels, options.Keywords, options.Seed,
            options.PerClass, settings, dataset.Roots, dataset.ResplitRoots, noise.Paths, counts, skipped);
    }

    private static void WriteListsAndManifest(string building, ManifestRow[] rows)
    {
        WriteList(DatasetScanner.ValidationListFile, Split.Validation);
        WriteList(DatasetScanner.TestingListFile, Split.Test);
        File.WriteAllText(Path.Combine(building, CuratedDataset.ManifestFile), ManifestRow.ToCsv(rows), Utf8);

        void WriteList(string name, Split split)
        {
            var lines = rows.Where(r => r.Split == split).Select(r => r.Path + "\n").Order(StringComparer.Ordinal);
            File.WriteAllText(Path.Combine(building, name), string.Concat(lines), Utf8);
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Swaps the finished folder in; an old output is removed only after the new one is in place.</summary>
    internal static void MoveIntoPlace(string building, string output)
    {
        if (!Directory.Exists(output))
        {
            Directory.Move(building, output);
            return;
        }
        string old = $"{output}.old-{Guid.NewGuid().ToString("N")[..8]}";
        Directory.Move(output, old);
        try
        {
            Directory.Move(building, output);
        }
        catch
        {
            Directory.Move(old, output);
            throw;
        }
        Directory.Delete(old, recursive: true);
    }
}
