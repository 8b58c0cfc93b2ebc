using System.Globalization;
using Hark.Audio;
using Hark.Curation;
using Hark.Datasets;
using Hark.Tests.Datasets;

namespace Hark.Tests.Curation;

public class CuratorTests
{
    private static readonly string[] Words = ["yes", "no", "cat", "dog", "bird"];

    private static string NewData(int speakersPerWord = 30) =>
        SyntheticDatasets.SpeechCommandsLike(Path.Combine(TestPaths.NewTempDir("curate-in"), "data"), Words, speakersPerWord);

    private static CurationOptions Options(string data, string output, int perClass = 40, int seed = 3) => new()
    {
        DataRoots = [data],
        Keywords = ["yes", "no"],
        PerClass = perClass,
        OutputDir = output,
        Seed = seed,
    };

    private static string NewOutput() => Path.Combine(TestPaths.NewTempDir("curate-out"), "out");

    private static List<string[]> ReadManifest(string output) =>
        File.ReadAllLines(Path.Combine(output, CuratedDataset.ManifestFile)).Skip(1).Select(l => l.Split(',')).ToList();

    [Fact]
    public void Train_is_balanced_val_and_test_never_repeat_a_source_and_files_match_the_summary()
    {
        string data = NewData(), output = NewOutput();

        var summary = Curator.Run(Options(data, output, perClass: 80));

        Assert.Equal(["yes", "no", "_unknown_", "_silence_"], summary.Labels);
        Assert.All(summary.Labels, l => Assert.Equal(80, summary.Counts["train"][l]));
        var rows = ReadManifest(output);
        foreach (var split in new[] { "validation", "test" })
        {
            var splitRows = rows.Where(r => r[2] == split && r[1] != Labels.Silence).ToList();
            Assert.Equal(splitRows.Count, splitRows.Select(r => r[3]).Distinct().Count());
            Assert.All(summary.Labels, l => Assert.InRange(summary.Counts[split][l], 1, 10));
        }
        var loaded = CuratedDataset.Load(output);
        Assert.Equal(summary.Labels, loaded.Labels);
        foreach (var (splitName, split) in new[] { ("train", Split.Train), ("validation", Split.Validation), ("test", Split.Test) })
            foreach (string label in summary.Labels)
                Assert.Equal(summary.Counts[splitName][label], loaded.ClipsIn(split).Count(c => c.Label == label));
        Assert.Equal(rows.Count, loaded.Clips.Count);
    }

    [Fact]
    public void Every_clip_is_one_second_at_16_kHz_even_from_long_and_short_sources()
    {
        string data = NewData(10), output = NewOutput();
        SyntheticDatasets.WriteWord(Path.Combine(data, "yes", "long1_nohash_0.wav"), 77, seconds: 2.7);
        SyntheticDatasets.WriteWord(Path.Combine(data, "yes", "short1_nohash_0.wav"), 78, seconds: 0.2);

        Curator.Run(Options(data, output, perClass: 30));

        foreach (string file in Directory.EnumerateFiles(output, "*.wav", SearchOption.AllDirectories))
        {
            var clip = WavReader.ReadPipeline(file);
            Assert.Equal(AudioClip.PipelineRate, clip.SampleRate);
            Assert.Equal(AudioClip.PipelineRate, clip.Samples.Length);
        }
    }

    [Fact]
    public void Splits_are_speaker_disjoint_and_match_the_input_splits()
    {
        string data = NewData(), output = NewOutput();

        Curator.Run(Options(data, output));

        var input = DatasetScanner.Scan(data).Clips.ToDictionary(c => c.Path);
        var rows = ReadManifest(output).Where(r => r[4].Length > 0).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
            Assert.Equal(input[row[3]].Split.ToString(), row[2], ignoreCase: true);
        DatasetScannerTests.AssertSpeakerDisjoint(CuratedDataset.Load(output).Clips);
        Assert.All(rows.GroupBy(r => r[4]), g => Assert.Single(g.Select(r => r[2]).Distinct()));
    }

    [Fact]
    public void A_phrase_keyword_from_the_users_own_folder_merges_with_another_root()
    {
        string data = NewData(10), mine = Path.Combine(TestPaths.NewTempDir("curate-mine"), "mine"), output = NewOutput();
        for (int i = 0; i < 12; i++)
            SyntheticDatasets.WriteWord(Path.Combine(mine, "Trick_or_Treat", $"take{i}.wav"), 500 + i);

        var summary = Curator.Run(Options(data, output, perClass: 20) with { DataRoots = [data, mine], Keywords = ["Trick or treat", "yes"] });

        Assert.Equal(["trick_or_treat", "yes", "_unknown_", "_silence_"], summary.Labels);
        Assert.Equal(20, Directory.GetFiles(Path.Combine(output, "trick_or_treat")).Length
                         - summary.Counts["validation"]["trick_or_treat"] - summary.Counts["test"]["trick_or_treat"]);
        Assert.All(ReadManifest(output).Where(r => r[1] == "trick_or_treat"), r => Assert.StartsWith(mine, r[3]));
        Assert.DoesNotContain(ReadManifest(output), r => r[1] == Labels.Unknown && r[3].StartsWith(mine));
    }

    [Fact]
    public void A_larger_unknown_class_gets_its_own_count_in_train_and_proportionally_more_in_validation_and_test()
    {
        string data = NewData(), output = NewOutput(), plain = NewOutput();

        var summary = Curator.Run(Options(data, output, perClass: 30) with { UnknownPerClass = 90 });
        var same = Curator.Run(Options(data, plain, perClass: 30));

        Assert.Equal(90, summary.Counts["train"][Labels.Unknown]);
        Assert.All(new[] { "yes", "no", Labels.Silence }, l => Assert.Equal(30, summary.Counts["train"][l]));
        Assert.True(summary.Counts["test"][Labels.Unknown] > same.Counts["test"][Labels.Unknown],
            $"test unknown {summary.Counts["test"][Labels.Unknown]} vs {same.Counts["test"][Labels.Unknown]} without the option");
        Assert.Equal(same.Counts["test"]["yes"], summary.Counts["test"]["yes"]);
        var perWord = ReadManifest(output).Where(r => r[1] == Labels.Unknown && r[2] == "train")
            .GroupBy(r => Path.GetFileName(Path.GetDirectoryName(r[3])!)).Select(g => g.Count());
        Assert.All(perWord, n => Assert.Equal(30, n));
        Assert.Throws<HarkException>(() => Curator.Run(Options(data, NewOutput()) with { UnknownPerClass = 0 }));
    }

    [Fact]
    public void Unknown_is_spread_evenly_over_the_other_words()
    {
        string data = NewData(), output = NewOutput();

        Curator.Run(Options(data, output, perClass: 30));

        var perWord = ReadManifest(output).Where(r => r[1] == Labels.Unknown && r[2] == "train")
            .GroupBy(r => Path.GetFileName(Path.GetDirectoryName(r[3])!)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(["bird", "cat", "dog"], perWord.Keys.Order());
        Assert.All(perWord.Values, n => Assert.Equal(10, n));
    }

    [Fact]
    public void Noise_is_mixed_at_snrs_inside_the_range_and_the_manifest_says_so()
    {
        string data = NewData(10), output = NewOutput();

        Curator.Run(Options(data, output, perClass: 60) with { SnrDbMin = 8, SnrDbMax = 12, NoiseProbability = 0.5 });

        var words = ReadManifest(output).Where(r => r[1] != Labels.Silence).ToList();
        var mixed = words.Where(r => r[6].Length > 0).ToList();
        Assert.InRange(mixed.Count, words.Count / 4, words.Count * 3 / 4);
        Assert.All(mixed, r =>
        {
            Assert.InRange(double.Parse(r[6], CultureInfo.InvariantCulture), 8, 12);
            Assert.EndsWith("hum.wav", r[7]);
            Assert.True(int.Parse(r[8], CultureInfo.InvariantCulture) >= 0);
        });
        Assert.All(words.Except(mixed), r => Assert.Equal("", r[7]));
    }

    [Fact]
    public void Same_seed_gives_identical_bytes_with_any_thread_count_and_another_seed_differs()
    {
        string data = NewData(10);
        string a = NewOutput(), b = NewOutput(), c = NewOutput();

        Curator.Run(Options(data, a) with { MaxParallelism = 1 });
        Curator.Run(Options(data, b) with { MaxParallelism = 4 });
        Curator.Run(Options(data, c, seed: 4));

        var fa = SyntheticDatasets.Fingerprint(a);
        Assert.Equal(fa, SyntheticDatasets.Fingerprint(b));
        Assert.NotEqual(fa[CuratedDataset.ManifestFile], SyntheticDatasets.Fingerprint(c)[CuratedDataset.ManifestFile]);
    }

    [Fact]
    public void Inputs_are_never_modified()
    {
        string data = NewData(10), output = NewOutput();
        var before = SyntheticDatasets.Fingerprint(data);

        Curator.Run(Options(data, output));

        Assert.Equal(before, SyntheticDatasets.Fingerprint(data));
    }

    [Fact]
    public void An_existing_output_is_refused_without_force_and_replaced_with_it()
    {
        string data = NewData(10), output = NewOutput();
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");

        var e = Assert.Throws<HarkException>(() => Curator.Run(Options(data, output)));
        Assert.Contains("--force", e.Message);
        Assert.True(File.Exists(Path.Combine(output, "keep.txt")));

        Curator.Run(Options(data, output) with { Force = true });
        Assert.False(File.Exists(Path.Combine(output, "keep.txt")));
        Assert.True(File.Exists(Path.Combine(output, CuratedDataset.InfoFile)));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Output_inside_an_input_or_input_inside_output_is_refused()
    {
        string data = NewData(5);
        var inside = Assert.Throws<HarkException>(() => Curator.Run(Options(data, Path.Combine(data, "curated"))));
        Assert.Contains(data, inside.Message);
        var around = Assert.Throws<HarkException>(() => Curator.Run(Options(data, Path.GetDirectoryName(data)!) with { Force = true }));
        Assert.Contains("inside output", around.Message);
        Assert.False(Directory.Exists(Path.Combine(data, "curated")));
        Assert.True(Directory.Exists(data));

        var slash = Assert.Throws<HarkException>(() => Curator.Run(Options(data + "/", data + "/curated/")));
        Assert.Contains("inside input", slash.Message);
        Curator.Run(Options(data, data + "2")); // a sibling sharing the name prefix is not inside
        Assert.True(File.Exists(Path.Combine(data + "2", CuratedDataset.InfoFile)));
    }

    [Fact]
    public void A_corrupt_input_is_skipped_reported_and_not_used()
    {
        string data = NewData(10), output = NewOutput();
        string corrupt = Path.Combine(data, "yes", "bad0000_nohash_0.wav");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5]);

        var summary = Curator.Run(Options(data, output, perClass: 60));

        var skipped = Assert.Single(summary.Skipped);
        Assert.Equal(corrupt, skipped.Path);
        Assert.Contains(corrupt, File.ReadAllText(Path.Combine(output, CuratedDataset.InfoFile)));
        Assert.DoesNotContain(ReadManifest(output), r => r[3] == corrupt);
        Assert.Equal(60, summary.Counts["train"]["yes"]);
    }

    [Fact]
    public void An_interrupted_run_leaves_no_output_and_no_temporary_folder()
    {
        string data = NewData(10), output = NewOutput();
        using var cancel = new CancellationTokenSource();
        var stopAtFirstReport = new SynchronousProgress(_ => cancel.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => Curator.Run(Options(data, output, perClass: 200), stopAtFirstReport, cancel.Token));

        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void An_interrupted_forced_run_keeps_the_previous_output()
    {
        string data = NewData(10), output = NewOutput();
        Curator.Run(Options(data, output, perClass: 20));
        var before = SyntheticDatasets.Fingerprint(output);
        using var cancel = new CancellationTokenSource();

        Assert.ThrowsAny<OperationCanceledException>(() => Curator.Run(Options(data, output, perClass: 200, seed: 9) with { Force = true },
            new SynchronousProgress(_ => cancel.Cancel()), cancel.Token));

        Assert.Equal(before, SyntheticDatasets.Fingerprint(output));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Missing_keyword_and_missing_data_folder_are_one_line_errors_naming_them()
    {
        string data = NewData(5), output = NewOutput();
        var keyword = Assert.Throws<HarkException>(() => Curator.Run(Options(data, output) with { Keywords = ["marvin"] }));
        Assert.Contains("'marvin'", keyword.Message);
        string missing = Path.Combine(data, "..", "absent");
        var folder = Assert.Throws<HarkException>(() => Curator.Run(Options(missing, output)));
        Assert.Contains(Path.GetFullPath(missing), folder.Message);
        Assert.DoesNotContain('\n', keyword.Message + folder.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Without_background_noise_silence_is_generated_and_words_stay_clean()
    {
        string data = SyntheticDatasets.SpeechCommandsLike(Path.Combine(TestPaths.NewTempDir("curate-in"), "data"), Words, 10, withNoise: false);
        string output = NewOutput();

        var summary = Curator.Run(Options(data, output, perClass: 20));

        Assert.Empty(summary.NoiseFiles);
        Assert.Equal(20, summary.Counts["train"][Labels.Silence]);
        Assert.All(ReadManifest(output), r => Assert.Equal("", r[6]));
    }

    [SkippableFact]
    public void Curates_the_real_dev_data_speaker_disjointly()
    {
        string dev = TestPaths.RequireSpeechCommandsDev();
        string output = NewOutput();

        var summary = Curator.Run(new CurationOptions { DataRoots = [dev], Keywords = ["yes", "no"], PerClass = 50, OutputDir = output, Seed = 1 });

        Assert.All(summary.Labels, l => Assert.Equal(50, summary.Counts["train"][l]));
        Assert.Empty(summary.Skipped);
        var curated = CuratedDataset.Load(output);
        DatasetScannerTests.AssertSpeakerDisjoint(curated.Clips);
        var sourceSplits = ReadManifest(output).Where(r => r[4].Length > 0).GroupBy(r => r[4]);
        Assert.All(sourceSplits, g => Assert.Single(g.Select(r => r[2]).Distinct()));
        Assert.Contains(curated.ClipsIn(Split.Test), c => c.Label == "yes");
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; this calls back at once, so the test is not racy.</summary>
    private sealed class SynchronousProgress(Action<ProgressReport> report) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => report(value);
    }
}
