using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hark.Audio;
using Hark.Datasets;

namespace Hark.Synthesis;

/// <summary>Settings of one <see cref="DatasetSynthesizer.Run"/>.</summary>
/// <param name="Words">Words or short phrases; each gets the folder <see cref="Labels.ToFolderName"/>.</param>
/// <param name="PerWord">Clips per word.</param>
/// <param name="Repetitions">How many takes of each word every speaker records.</param>
/// <param name="NoiseSeconds">Length of each background-noise file; 0 writes none.</param>
/// <param name="Jobs">Synthesizer processes run at once.</param>
public sealed record SynthesisOptions(
    IReadOnlyList<string> Words, int PerWord, string OutputDirectory, int Seed = 1, int Repetitions = 1,
    double NoiseSeconds = 45, int Jobs = 0, bool Force = false);

/// <summary>What a run produced.</summary>
/// <param name="VoicesUsed">Distinct synthesizer voices behind the speakers, as <c>engine:voice+variant</c>.</param>
/// <param name="ClipsPerSecond">Word clips per second of the speech phase (noise generation not included).</param>
public sealed record SynthesisSummary(
    string OutputDirectory, IReadOnlyDictionary<string, int> ClipsPerWord, int Speakers, IReadOnlyList<string> VoicesUsed,
    IReadOnlyList<string> Accents, int EspeakVariantsAvailable, IReadOnlyList<string> FliteVoices,
    IReadOnlyList<string> NoiseFiles, int Jobs, double Seconds, double ClipsPerSecond);

/// <summary>
/// Builds a Speech-Commands-layout dataset from speech synthesizers: one folder per word of 1-second 16 kHz clips
/// named <c>speaker_nohash_n.wav</c>, a <c>_background_noise_</c> folder, and <c>synth.json</c> recording the
/// settings and every voice. The dataset is built in a sibling folder and renamed into place at the end, so an
/// interrupted run never leaves a half-written dataset under the requested name.
/// </summary>
public static class DatasetSynthesizer
{
    /// <summary>Neutral sentences for babble noise; reversed before use, so their words never matter.</summary>
    private static readonly string[] BabbleSentences =
    [
        "we should meet again after lunch tomorrow", "the weather was much colder than anyone expected",
        "could you pass me the blue folder on the desk", "she finished the report just before the deadline",
        "there is a small cafe around the corner", "my brother moved to a new apartment last month",
        "they were talking about the football match all evening", "remember to water the plants on friday",
    ];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static SynthesisSummary Run(SynthesisOptions options, IProgress<ProgressReport>? progress = null,
        CancellationToken cancellationToken = default)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        string target = Path.GetFullPath(options.OutputDirectory);
        PrepareTarget(target, options.Force);
        int jobs = options.Jobs > 0 ? options.Jobs : Environment.ProcessorCount;

        var catalog = VoiceCatalog.Discover();
        var takes = SynthesisPlan.Takes(catalog, options.Words, options.PerWord, options.Repetitions, options.Seed);
        var speakers = takes.Select(t => t.Speaker).DistinctBy(s => s.Id).ToList();

        string staging = $"{target}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            foreach (string word in options.Words) Directory.CreateDirectory(Path.Combine(staging, Labels.ToFolderName(word)));
            int noiseFiles = options.NoiseSeconds > 0 ? NoiseKinds.Length : 0;
            int total = takes.Count + noiseFiles, done = 0;
            void Advance(string status) => progress?.Report(new ProgressReport((double)Interlocked.Increment(ref done) / total, status));

            var speechClock = Stopwatch.StartNew();
            Parallel.ForEach(takes, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, take =>
            {
                var raw = SpeechEngines.Speak(take.Speaker, take.Word, cancellationToken);
                var clip = TakeShaper.Shape(raw, take);
                WavWriter.WritePcm16(Path.Combine(staging, Labels.ToFolderName(take.Word), take.FileName), clip, AudioClip.PipelineRate);
                Advance(take.Word);
            });
            double speechSeconds = speechClock.Elapsed.TotalSeconds;

            var noiseNames = options.NoiseSeconds > 0
                ? WriteNoise(Path.Combine(staging, Labels.BackgroundNoiseFolder), options, speakers, jobs, Advance, cancellationToken)
                : [];

            var summary = new SynthesisSummary(target,
                options.Words.ToDictionary(Labels.ToFolderName, _ => options.PerWord),
                speakers.Count, [.. speakers.Select(s => s.VoiceName).Distinct().Order(StringComparer.Ordinal)],
                catalog.EspeakAccents, catalog.EspeakVariants.Count, catalog.FliteVoices, noiseNames, jobs,
                clock.Elapsed.TotalSeconds, takes.Count / Math.Max(speechSeconds, 1e-9));
            WriteManifest(Path.Combine(staging, "synth.json"), options, catalog, summary, speakers);

            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(staging, target);
            return summary;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private delegate void NoiseWriter(Span<float> output, DeterministicRandom random, NoiseContext context);

    private sealed record NoiseContext(int SampleRate, Func<IReadOnlyList<float[]>> BabbleSources);

    private static readonly (string Name, NoiseWriter Write)[] NoiseKinds =
    [
        ("white_noise", (o, r, _) => NoiseGenerator.White(o, r)),
        ("pink_noise", (o, r, _) => NoiseGenerator.Pink(o, r)),
        ("brown_noise", (o, r, _) => NoiseGenerator.Brown(o, r)),
        ("hum_50hz", (o, r, c) => NoiseGenerator.Hum(o, c.SampleRate, 50, r)),
        ("hum_60hz", (o, r, c) => NoiseGenerator.Hum(o, c.SampleRate, 60, r)),
        ("fan", (o, r, c) => NoiseGenerator.Fan(o, c.SampleRate, r)),
        ("rain", (o, r, c) => NoiseGenerator.Rain(o, c.SampleRate, r)),
        ("babble", (o, r, c) => NoiseGenerator.Babble(o, c.BabbleSources(), talkers: 7, c.SampleRate, r)),
    ];

    private static IReadOnlyList<string> WriteNoise(string folder, SynthesisOptions options, IReadOnlyList<SynthSpeaker> speakers,
        int jobs, Action<string> advance, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var babble = new Lazy<IReadOnlyList<float[]>>(() => BabbleSources(speakers, options.Seed, jobs, cancellationToken));
        var context = new NoiseContext(AudioClip.PipelineRate, () => babble.Value);
        int length = (int)Math.Round(options.NoiseSeconds * AudioClip.PipelineRate);
        Parallel.ForEach(NoiseKinds, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, kind =>
        {
            var samples = new float[length];
            kind.Write(samples, DeterministicRandom.For(options.Seed, $"synth/noise/{kind.Name}"), context);
            WavWriter.WritePcm16(Path.Combine(folder, kind.Name + ".wav"), samples, AudioClip.PipelineRate);
            advance(kind.Name);
        });
        return [.. NoiseKinds.Select(k => k.Name + ".wav")];
    }

    /// <summary>Each babble sentence spoken by a different dataset speaker, trimmed, at 16 kHz.</summary>
    private static IReadOnlyList<float[]> BabbleSources(IReadOnlyList<SynthSpeaker> speakers, int seed, int jobs,
        CancellationToken cancellationToken)
    {
        var random = DeterministicRandom.For(seed, "synth/babble-voices");
        var pairs = BabbleSentences.Select(s => (Sentence: s, Speaker: speakers[random.NextInt(0, speakers.Count)])).ToArray();
        var sources = new float[pairs.Length][];
        Parallel.For(0, pairs.Length, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken }, i =>
        {
            var raw = SpeechEngines.Speak(pairs[i].Speaker, pairs[i].Sentence, cancellationToken);
            var resampled = Resampler.Resample(raw.Samples, raw.SampleRate, AudioClip.PipelineRate);
            sources[i] = TakeShaper.Trim(resampled, AudioClip.PipelineRate).ToArray();
        });
        return sources;
    }

    private static void WriteManifest(string path, SynthesisOptions options, VoiceCatalog catalog, SynthesisSummary summary, IReadOnlyList<SynthSpeaker> speakers)
    {
        var manifest = new
        {
            tool = "hark synth",
            settings = new { options.Words, options.PerWord, options.Repetitions, options.Seed, options.NoiseSeconds },
            accents = catalog.EspeakAccents,
            espeak_variants = catalog.EspeakVariants,
            flite_voices = catalog.FliteVoices,
            summary.NoiseFiles,
            speakers = speakers.Select(s => new { s.Id, s.Engine, s.Voice, s.Variant, s.Pitch, s.Rate, s.WarpPercent }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, Json));
    }

    private static void Validate(SynthesisOptions options)
    {
        if (options.Words.Count == 0) throw new HarkException("--words: give at least one word");
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in options.Words)
        {
            string folder = Labels.ToFolderName(word);
            if (folder.Length == 0 || folder.StartsWith('_') || folder.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '\'' or '-')))
                throw new HarkException($"--words: '{word}' is not a word or phrase that can name a folder");
            if (!folders.Add(folder)) throw new HarkException($"--words: '{word}' is given twice");
        }
        if (options.PerWord < 1) throw new HarkException("--per-word must be at least 1");
        if (options.Repetitions < 1) throw new HarkException("--repetitions must be at least 1");
        if (options.NoiseSeconds is < 0 or > 600) throw new HarkException("--noise-seconds must be between 0 and 600");
    }

    private static void PrepareTarget(string target, bool force)
    {
        if (File.Exists(target)) throw new HarkException($"{target}: exists and is a file, not a folder");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !force)
            throw new HarkException($"{target}: folder exists and is not empty (use --force to replace it)");
        string? parent = Path.GetDirectoryName(target);
        if (parent is not null) Directory.CreateDirectory(parent);
    }
}
