using Hark.Audio;
using Hark.Curation;
using Hark.Datasets;
using Hark.Segmentation;

namespace Hark.Streaming;

/// <summary>
/// Builds a long benchmark recording (<c>OUT/stream.wav</c>, 16-bit PCM mono 16 kHz) and its ground truth
/// (<c>OUT/truth.json</c>, <see cref="StreamTruth"/>): keyword and distractor clips at random spacing and SNR over
/// continuous background noise, as <see cref="StreamBenchOptions"/> describes.
/// <para>Deterministic: the same inputs and options give byte-identical files (one thread; every random choice from
/// a stream derived from the seed by purpose). Inputs are only read; the output may not overlap any input; an existing
/// non-empty output is refused unless <see cref="StreamBenchOptions.Force"/>; everything is built in a sibling
/// <c>OUT.tmp-*</c> folder and renamed into place. Memory stays flat however long the stream: the plan is made first,
/// then the audio is rendered and written one block at a time.</para>
/// </summary>
public static class StreamBuilder
{
    public const int SampleRate = AudioClip.PipelineRate;
    /// <summary>No clip starts in the first second: the detector's first window ends there.</summary>
    public const double LeadInSeconds = 1.0;
    /// <summary>Room after the last clip for its detection.</summary>
    public const double TailSeconds = 1.5;
    private const double MinCutSeconds = 3, MaxCutSeconds = 15, MinSilenceSeconds = 0.5, MaxSilenceSeconds = 3;
    private const double FadeSeconds = 0.05;
    /// <summary>Largest gain a noise cut gets to reach its level (a near-silent stretch stays quiet, not amplified hiss).</summary>
    private const double MaxNoiseGainDb = 40;
    /// <summary>Peak a word may reach after scaling; louder ones are turned down (their SNR is recorded as applied).</summary>
    private const float MaxWordPeak = 0.9f;
    /// <summary>Background RMS below this is a silence gap: a word there has no SNR.</summary>
    private const double SilentRms = 1e-6;
    private const int BlockSamples = SampleRate;

    public static StreamTruth Build(StreamBenchOptions options, IProgress<ProgressReport>? progress = null, CancellationToken cancel = default)
    {
        options = options with { Keywords = options.Keywords.Select(Labels.ToFolderName).ToArray() };
        options.Validate();
        string output = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.OutputDir));
        var roots = options.DataRoots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        Curator.CheckOutputIsSafe(output, roots, options.Force);

        var plan = Plan(options, roots, progress, cancel);
        string building = $"{output}.tmp-{Guid.NewGuid().ToString("N")[..8]}";
        try
        {
            Directory.CreateDirectory(building);
            Render(plan, Path.Combine(building, StreamTruth.WavFileName), progress, cancel);
            File.WriteAllBytes(Path.Combine(building, StreamTruth.FileName), plan.Truth.ToJsonBytes());
            Curator.MoveIntoPlace(building, output);
            return plan.Truth;
        }
        catch
        {
            if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
            throw;
        }
    }

    /// <summary>Where a clip's spoken word is: sample range [Start, End) of the file.</summary>
    public readonly record struct SpeechRegion(int Start, int End);

    /// <summary>
    /// The spoken part of a short clip, by energy: the span of every utterance <see cref="UtteranceDetector"/> finds;
    /// failing that (a word that fills the clip leaves no quiet floor), the span of 10 ms frames within 20 dB of the
    /// loudest. Null for a clip with no sound at all.
    /// </summary>
    public static SpeechRegion? FindSpeech(ReadOnlySpan<float> samples, int sampleRate)
    {
        if (samples.IsEmpty) return null;
        var utterances = UtteranceDetector.Detect(samples, sampleRate);
        if (utterances.Count > 0)
        {
            int start = (int)Math.Round(utterances.Min(u => u.Start) * sampleRate);
            int end = (int)Math.Min(samples.Length, Math.Round(utterances.Max(u => u.End) * sampleRate));
            if (end > start) return new SpeechRegion(start, end);
        }
        int frame = Math.Max(1, sampleRate / 100);
        var levels = FrameEnergy.Decibels(samples, frame);
        float peak = levels.Max();
        if (peak <= FrameEnergy.SilenceDb) return null;
        int first = Array.FindIndex(levels, l => l >= peak - 20), last = Array.FindLastIndex(levels, l => l >= peak - 20);
        return new SpeechRegion(first * frame, Math.Min(samples.Length, (last + 1) * frame));
    }

    // ---------------------------------------------------------------- plan

    private sealed record Placement(PlacedClip Truth, string Path, int CutStart, int CutLength, long At, float Gain);

    private sealed record Segment(long Start, long End, int Recording, int Offset, float Gain, double? LevelDb);

    private sealed record BuildPlan(StreamTruth Truth, long Samples, List<Placement> Placements, List<Segment> Segments,
        float[][] Noise, int Crossfade);

    /// <summary>A clip's measurements, kept (not its audio) so a reused clip is read once while planning.</summary>
    private sealed record ClipInfo(int Length, SpeechRegion Speech, int CutStart, int CutLength, double SpeechRms, float CutPeak);

    private static BuildPlan Plan(StreamBenchOptions options, List<string> roots, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var dataset = DatasetScanner.Scan(roots, options.Split);
        var splits = (options.Splits ?? [Split.Train, Split.Validation, Split.Test]).Distinct().Order().ToList();
        string splitNames = string.Join(",", splits.Select(s => s.ToString().ToLowerInvariant()));
        string where = $"{string.Join(", ", roots)} ({splitNames} split{(splits.Count > 1 ? "s" : "")})";
        var inSplits = dataset.Clips.Where(c => splits.Contains(c.Split)).ToList();
        foreach (string keyword in options.Keywords)
            if (!inSplits.Any(c => c.Label == keyword))
                throw new HarkException(dataset.Labels.Contains(keyword)
                    ? $"{where}: no clips of keyword '{keyword}' in the chosen split (pick another --split)"
                    : $"{where}: no clips of keyword '{keyword}' (words there: {Preview(dataset.Labels)})");
        var distractorClips = inSplits.Where(c => !options.Keywords.Contains(c.Label) && c.Label != Labels.Silence).ToList();
        if (options.DistractorsPerMinute > 0 && distractorClips.Count == 0)
            throw new HarkException($"{where}: no non-keyword words to use as distractors (pass --distractors-per-minute 0 to do without)");

        var skipped = dataset.Skipped.ToList();
        var noisePaths = new List<string>();
        var noise = new List<float[]>();
        foreach (string path in dataset.BackgroundNoise)
        {
            try
            {
                var samples = ReadPipeline(path);
                if (samples.Length < SampleRate) skipped.Add(new SkippedEntry(path, "shorter than 1 s"));
                else { noisePaths.Add(path); noise.Add(samples); }
            }
            catch (WavFormatException e) { skipped.Add(new SkippedEntry(path, e.Problem)); }
        }
        if (noise.Count == 0)
            throw new HarkException($"{string.Join(", ", roots)}: no usable {Labels.BackgroundNoiseFolder} recordings (at least 1 s long) for " +
                                    "the background; add a --data folder that has them (Speech Commands, or the output of hark synth)");

        var random = DeterministicRandom.For(options.Seed, "stream-bench");
        long total = (long)Math.Round(options.Minutes * 60 * SampleRate);
        int keywordCount = Math.Max(1, (int)Math.Round(options.KeywordsPerMinute * options.Minutes));
        int distractorCount = (int)Math.Round(options.DistractorsPerMinute * options.Minutes);

        // Which clip goes where: keywords take turns, then keywords and distractors are shuffled together.
        var items = new List<(bool Keyword, string Label)>();
        for (int i = 0; i < keywordCount; i++) items.Add((true, options.Keywords[i % options.Keywords.Count]));
        for (int i = 0; i < distractorCount; i++) items.Add((false, ""));
        random.Derive("order").Shuffle(items);

        var pools = options.Keywords.ToDictionary(k => k, k => new ClipPool(inSplits.Where(c => c.Label == k), random.Derive($"keyword/{k}")));
        var distractorPool = new ClipPool(distractorClips, random.Derive("distractors"));
        var infos = new Dictionary<string, ClipInfo>(StringComparer.Ordinal);
        int margin = (int)Math.Round(options.MarginSeconds * SampleRate);
        var chosen = new List<(LabeledClip Clip, ClipInfo Info, bool Keyword)>(items.Count);
        foreach (var (keyword, label) in items)
        {
            cancel.ThrowIfCancellationRequested();
            var pool = keyword ? pools[label] : distractorPool;
            while (true)
            {
                var clip = pool.Next() ?? throw new HarkException(keyword
                    ? $"{where}: no readable clip of keyword '{label}' with speech in it"
                    : $"{where}: no readable distractor clip with speech in it");
                if (!infos.TryGetValue(clip.Path, out var info))
                {
                    info = Measure(clip.Path, margin, out string? problem);
                    if (info is null)
                    {
                        skipped.Add(new SkippedEntry(clip.Path, problem!));
                        pool.Remove(clip);
                        continue;
                    }
                    infos[clip.Path] = info;
                }
                chosen.Add((clip, info, keyword));
                break;
            }
            progress?.Report(new ProgressReport(0.3 * chosen.Count / items.Count, "choosing clips"));
        }

        // Random spacing: the free time is shared out in Dirichlet(1, ..., 1) proportions (uniform order statistics).
        long minGap = (long)Math.Round(options.MinGapSeconds * SampleRate);
        long leadIn = (long)Math.Round(LeadInSeconds * SampleRate), tail = (long)Math.Round(TailSeconds * SampleRate);
        long busy = chosen.Sum(c => (long)c.Info.CutLength) + minGap * (chosen.Count - 1);
        long free = total - leadIn - tail - busy;
        if (free < 0)
            throw new HarkException($"{chosen.Count} clips at least {options.MinGapSeconds:0.##} s apart need " +
                                    $"{(busy + leadIn + tail) / (double)SampleRate / 60:0.##} minutes; lower --keywords-per-minute or " +
                                    $"--distractors-per-minute, or make the stream longer");
        var spacing = random.Derive("spacing");
        var weights = Enumerable.Range(0, chosen.Count + 1).Select(_ => -Math.Log(1 - spacing.NextDouble())).ToArray();
        double weightSum = weights.Sum();

        int crossfade = (int)Math.Round(options.CrossfadeSeconds * SampleRate);
        var segments = PlanBackground(options, splits, noise, total, crossfade, random.Derive("background"));
        var noiseArrays = noise.ToArray();

        var levels = random.Derive("snr");
        var placements = new List<Placement>(chosen.Count);
        long at = leadIn, shared = 0;
        double cumulative = 0;
        for (int i = 0; i < chosen.Count; i++)
        {
            cumulative += weights[i];
            long gapEnd = (long)Math.Floor(free * (cumulative / weightSum));
            at += gapEnd - shared;
            shared = gapEnd;
            var (clip, info, keyword) = chosen[i];
            double snr = levels.NextDouble(options.SnrMinDb, options.SnrMaxDb);
            long speechStart = at + (info.Speech.Start - info.CutStart), speechEnd = at + (info.Speech.End - info.CutStart);
            double background = Rms(segments, noiseArrays, crossfade, speechStart, (int)(speechEnd - speechStart));
            double wordRms = background >= SilentRms
                ? background * Math.Pow(10, snr / 20)
                : Math.Pow(10, ((options.NoiseMinDb + options.NoiseMaxDb) / 2 + snr) / 20);
            double gain = wordRms / Math.Max(info.SpeechRms, 1e-9);
            if (gain * info.CutPeak > MaxWordPeak) gain = MaxWordPeak / info.CutPeak;
            double? appliedSnr = background >= SilentRms ? 20 * Math.Log10(gain * info.SpeechRms / background) : null;
            var truth = new PlacedClip(
                clip.Label, Seconds(speechStart), Seconds(speechEnd), speechStart, speechEnd, clip.Path,
                clip.Speaker, clip.Split.ToString().ToLowerInvariant(), Round(appliedSnr), Round(20 * Math.Log10(gain))!.Value,
                Seconds(at), Seconds(at + info.CutLength));
            placements.Add(new Placement(truth, clip.Path, info.CutStart, info.CutLength, at, (float)gain));
            at += info.CutLength + minGap;
        }

        skipped.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var settings = new StreamBenchSettings(options.Minutes, options.KeywordsPerMinute, options.DistractorsPerMinute,
            options.SnrMinDb, options.SnrMaxDb, options.NoiseMinDb, options.NoiseMaxDb, options.MinGapSeconds,
            options.SilenceGapProbability, options.CrossfadeSeconds, options.MarginSeconds);
        var truthFile = new StreamTruth(
            StreamTruth.CurrentFormat, SampleRate, total, Seconds(total), options.Seed,
            [.. splits.Select(s => s.ToString().ToLowerInvariant())], options.Keywords, roots, settings,
            [.. placements.Where((_, i) => chosen[i].Keyword).Select(p => p.Truth)],
            [.. placements.Where((_, i) => !chosen[i].Keyword).Select(p => p.Truth)],
            [.. segments.Select(s => new BackgroundSegment(Seconds(s.Start), Seconds(s.End),
                s.Recording < 0 ? null : noisePaths[s.Recording], Seconds(s.Offset), Round(s.LevelDb)))],
            noisePaths, skipped);
        return new BuildPlan(truthFile, total, placements, segments, noiseArrays, crossfade);
    }

    private static ClipInfo? Measure(string path, int margin, out string? problem)
    {
        float[] samples;
        try { samples = ReadPipeline(path); }
        catch (WavFormatException e)
        {
            problem = e.Problem;
            return null;
        }
        var speech = FindSpeech(samples, SampleRate);
        if (speech is not { } s)
        {
            problem = "no speech found (silent clip)";
            return null;
        }
        problem = null;
        int cutStart = Math.Max(0, s.Start - margin), cutEnd = Math.Min(samples.Length, s.End + margin);
        float peak = 0;
        for (int i = cutStart; i < cutEnd; i++) peak = Math.Max(peak, Math.Abs(samples[i]));
        return new ClipInfo(samples.Length, s, cutStart, cutEnd - cutStart, RmsOf(samples.AsSpan(s.Start, s.End - s.Start)), peak);
    }

    /// <summary>Noise cuts and silence gaps covering [0, total), each a random stretch of a recording's split regions.</summary>
    private static List<Segment> PlanBackground(StreamBenchOptions options, List<Split> splits, List<float[]> noise, long total,
        int crossfade, DeterministicRandom random)
    {
        // Every (recording, split region) long enough for a cut of at least a second plus its crossfade.
        var regions = noise
            .SelectMany((n, r) => splits.Select(s => NoiseBank.Region(n.Length, s, options.Split)).Select(g => (Recording: r, g.Start, g.Length)))
            .Where(g => g.Length >= SampleRate + crossfade)
            .GroupBy(g => g.Recording).Select(g => g.ToArray()).ToArray();
        if (regions.Length == 0)
            throw new HarkException($"every {Labels.BackgroundNoiseFolder} recording is too short: a split gets only its share of " +
                                    "each recording (validation and test 10 % by default), and a share under 1 s cannot be cut");
        var segments = new List<Segment>();
        for (long start = 0; start < total;)
        {
            long length;
            if (random.NextDouble() < options.SilenceGapProbability)
            {
                length = (long)Math.Round(random.NextDouble(MinSilenceSeconds, MaxSilenceSeconds) * SampleRate);
                segments.Add(new Segment(start, Math.Min(total, start + length), -1, 0, 0, null));
            }
            else
            {
                var recordingRegions = regions[random.NextInt(0, regions.Length)];
                var (recording, regionStart, regionLength) = recordingRegions[random.NextInt(0, recordingRegions.Length)];
                // The cut plus the crossfade into the next one must fit the region: no hard loop splice inside a cut.
                int longest = regionLength - crossfade;
                length = Math.Min(longest, (long)Math.Round(random.NextDouble(MinCutSeconds, MaxCutSeconds) * SampleRate));
                int offset = regionStart + random.NextInt(0, (int)(regionLength - Math.Min(regionLength, length + crossfade)) + 1);
                int available = (int)Math.Min(length + crossfade, noise[recording].Length - offset);
                double rms = RmsOf(noise[recording].AsSpan(offset, available));
                double level = random.NextDouble(options.NoiseMinDb, options.NoiseMaxDb);
                double gain = rms > 0 ? Math.Min(Math.Pow(10, level / 20) / rms, Math.Pow(10, MaxNoiseGainDb / 20)) : 0;
                segments.Add(new Segment(start, Math.Min(total, start + length), recording, offset, (float)gain,
                    gain > 0 ? 20 * Math.Log10(gain * rms) : null));
            }
            start += length;
        }
        return segments;
    }

    // ---------------------------------------------------------------- render

    private static void Render(BuildPlan plan, string path, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var block = new float[BlockSamples];
        int next = 0;
        string? cachedPath = null;
        float[] cached = [];
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            WavWriter.WritePcm16Header(stream, checked((int)plan.Samples), SampleRate);
            for (long from = 0; from < plan.Samples; from += BlockSamples)
            {
                cancel.ThrowIfCancellationRequested();
                int length = (int)Math.Min(BlockSamples, plan.Samples - from);
                var span = block.AsSpan(0, length);
                RenderBackground(plan.Segments, plan.Noise, plan.Crossfade, from, span);
                while (next < plan.Placements.Count && plan.Placements[next].At + plan.Placements[next].CutLength <= from) next++;
                for (int p = next; p < plan.Placements.Count && plan.Placements[p].At < from + length; p++)
                {
                    var placement = plan.Placements[p];
                    if (cachedPath != placement.Path)
                    {
                        cached = ReadPipeline(placement.Path);
                        cachedPath = placement.Path;
                    }
                    AddWord(cached.AsSpan(placement.CutStart, placement.CutLength), placement.Gain, placement.At, from, span);
                }
                WavWriter.WritePcm16Samples(stream, span);
                progress?.Report(new ProgressReport(0.3 + 0.7 * (from + length) / plan.Samples, "rendering"));
            }
        }
    }

    /// <summary>The part of a faded, scaled word that falls in the block starting at <paramref name="from"/>.</summary>
    private static void AddWord(ReadOnlySpan<float> cut, float gain, long at, long from, Span<float> block)
    {
        int fade = Math.Min((int)(FadeSeconds * SampleRate), cut.Length / 4);
        long first = Math.Max(at, from), last = Math.Min(at + cut.Length, from + block.Length);
        for (long t = first; t < last; t++)
        {
            int i = (int)(t - at);
            float envelope = 1f;
            if (i < fade) envelope = RaisedCosine(i, fade);
            else if (cut.Length - 1 - i < fade) envelope = RaisedCosine(cut.Length - 1 - i, fade);
            block[(int)(t - from)] += gain * envelope * cut[i];
        }
    }

    private static float RaisedCosine(int i, int length) => (float)(0.5 - 0.5 * Math.Cos(Math.PI * (i + 0.5) / length));

    /// <summary>
    /// The background over [from, from + block.Length): each noise cut spans [Start, End + crossfade), fading in over
    /// its first crossfade samples (except the first cut) and out over its last, with equal-power (sine/cosine) ramps.
    /// </summary>
    private static void RenderBackground(List<Segment> segments, float[][] noise, int crossfade, long from, Span<float> block)
    {
        block.Clear();
        long to = from + block.Length;
        int s = FirstSegmentReaching(segments, crossfade, from);
        for (; s < segments.Count && segments[s].Start < to; s++)
        {
            var segment = segments[s];
            if (segment.Recording < 0 || segment.Gain == 0) continue;
            float[] source = noise[segment.Recording];
            long segmentEnd = segment.End + crossfade;
            long first = Math.Max(from, segment.Start), last = Math.Min(to, segmentEnd);
            for (long t = first; t < last; t++)
            {
                long k = t - segment.Start;
                int index = segment.Offset + (int)k;
                if (index >= source.Length) break;
                float envelope = 1f;
                if (crossfade > 0)
                {
                    if (s > 0 && k < crossfade) envelope = (float)Math.Sin(0.5 * Math.PI * (k + 0.5) / crossfade);
                    else if (t >= segment.End) envelope = (float)Math.Cos(0.5 * Math.PI * (t - segment.End + 0.5) / crossfade);
                }
                block[(int)(t - from)] += segment.Gain * envelope * source[index];
            }
        }
    }

    private static int FirstSegmentReaching(List<Segment> segments, int crossfade, long from)
    {
        int lo = 0, hi = segments.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (segments[mid].End + crossfade <= from) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static double Rms(List<Segment> segments, float[][] noise, int crossfade, long from, int length)
    {
        var buffer = new float[Math.Max(1, length)];
        RenderBackground(segments, noise, crossfade, from, buffer.AsSpan(0, length));
        return RmsOf(buffer.AsSpan(0, length));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Clips of one kind in a seeded order, dealt round after round (each round reshuffled).</summary>
    private sealed class ClipPool(IEnumerable<LabeledClip> clips, DeterministicRandom random)
    {
        private readonly List<LabeledClip> _clips = [.. clips];
        private List<LabeledClip> _round = [];
        private int _next;

        public LabeledClip? Next()
        {
            if (_clips.Count == 0) return null;
            if (_next >= _round.Count)
            {
                _round = [.. _clips];
                random.Shuffle(_round);
                _next = 0;
            }
            return _round[_next++];
        }

        public void Remove(LabeledClip clip)
        {
            _clips.Remove(clip);
            int at = _round.IndexOf(clip);
            if (at < 0) return;
            _round.RemoveAt(at);
            if (at < _next) _next--;
        }
    }

    private static float[] ReadPipeline(string path)
    {
        var clip = WavReader.ReadPipeline(path);
        return clip.SampleRate == SampleRate ? clip.Samples : Resampler.Resample(clip.Samples, clip.SampleRate, SampleRate);
    }

    private static double RmsOf(ReadOnlySpan<float> samples)
    {
        if (samples.IsEmpty) return 0;
        double sum = 0;
        foreach (float x in samples) sum += (double)x * x;
        return Math.Sqrt(sum / samples.Length);
    }

    private static double Seconds(long samples) => Math.Round(samples / (double)SampleRate, 6);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 2) : null;

    private static string Preview(IReadOnlyList<string> labels) =>
        labels.Count == 0 ? "none" : string.Join(", ", labels.Take(12)) + (labels.Count > 12 ? ", ..." : "");
}
