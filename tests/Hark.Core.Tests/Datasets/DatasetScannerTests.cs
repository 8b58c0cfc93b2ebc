using Hark.Datasets;

namespace Hark.Tests.Datasets;

public class DatasetScannerTests
{
    [Fact]
    public void Reads_the_speech_commands_layout()
    {
        string root = SyntheticDatasets.SpeechCommandsLike(TestPaths.NewTempDir("scan"), ["yes", "no"], 3);
        File.WriteAllText(Path.Combine(root, "README.md"), "not audio");

        var dataset = DatasetScanner.Scan(root);

        Assert.Equal(["_silence_", "no", "yes"], dataset.Labels);
        Assert.Equal(12, dataset.Clips.Count(c => c.Label is "yes" or "no"));
        Assert.Equal(4, dataset.ClipsOf(Labels.Silence).Count());
        Assert.Equal([Path.Combine(root, "_background_noise_", "hum.wav")], dataset.BackgroundNoise);
        Assert.DoesNotContain(dataset.Clips, c => c.Path.Contains("_background_noise_"));
        var yes = dataset.ClipsOf("yes").First(c => c.Path.EndsWith($"{SyntheticDatasets.Speaker(1)}_nohash_1.wav"));
        Assert.Equal(SyntheticDatasets.Speaker(1), yes.Speaker);
        Assert.All(dataset.ClipsOf(Labels.Silence), c => Assert.Null(c.Speaker));
        Assert.Empty(dataset.Skipped);
    }

    [Fact]
    public void Reads_a_folder_per_label_of_the_users_own_words_case_insensitively()
    {
        string root = TestPaths.NewTempDir("scan-custom");
        SyntheticDatasets.WriteWord(Path.Combine(root, "Trick_or_Treat", "take1.WAV"), 1);
        SyntheticDatasets.WriteWord(Path.Combine(root, "Trick_or_Treat", "take2.wav"), 2);
        File.WriteAllText(Path.Combine(root, "Trick_or_Treat", "notes.txt"), "ignored");
        SyntheticDatasets.WriteWord(Path.Combine(root, "loose.wav"), 3);

        var dataset = DatasetScanner.Scan(root);

        Assert.Equal(["trick_or_treat"], dataset.Labels);
        Assert.Equal(Labels.ToFolderName("Trick or Treat"), dataset.Labels[0]);
        Assert.Equal(2, dataset.Clips.Count);
        Assert.All(dataset.Clips, c => Assert.Null(c.Speaker));
        var skipped = Assert.Single(dataset.Skipped);
        Assert.EndsWith("loose.wav", skipped.Path);
    }

    [Fact]
    public void Merges_the_same_label_across_roots()
    {
        string a = SyntheticDatasets.SpeechCommandsLike(TestPaths.NewTempDir("scan-a"), ["yes", "cat"], 2, withNoise: false);
        string b = TestPaths.NewTempDir("scan-b");
        SyntheticDatasets.WriteWord(Path.Combine(b, "yes", "mine_nohash_0.wav"), 9);
        SyntheticDatasets.WriteWord(Path.Combine(b, "hey_hark", "x.wav"), 10);

        var dataset = DatasetScanner.Scan([a, b]);

        Assert.Equal(["cat", "hey_hark", "yes"], dataset.Labels);
        Assert.Equal(5, dataset.ClipsOf("yes").Count());
        Assert.Contains(dataset.ClipsOf("yes"), c => c.Speaker == "mine");
        Assert.Equal(dataset.Clips.OrderBy(c => c.Label, StringComparer.Ordinal).ThenBy(c => c.Path, StringComparer.Ordinal), dataset.Clips);
    }

    [Fact]
    public void Honours_list_files_and_reports_entries_that_do_not_exist()
    {
        string root = SyntheticDatasets.SpeechCommandsLike(TestPaths.NewTempDir("scan-lists"), ["yes"], 3, withNoise: false);
        string s0 = SyntheticDatasets.Speaker(0), s1 = SyntheticDatasets.Speaker(1);
        File.WriteAllText(Path.Combine(root, DatasetScanner.ValidationListFile), $"yes/{s0}_nohash_0.wav\nyes/{s0}_nohash_1.wav\n");
        File.WriteAllText(Path.Combine(root, DatasetScanner.TestingListFile), $"yes/{s1}_nohash_0.wav\r\nyes/gone_nohash_0.wav\n\n");

        var dataset = DatasetScanner.Scan(root);

        Assert.Equal(2, dataset.ClipsIn(Split.Validation).Count());
        Assert.Single(dataset.ClipsIn(Split.Test));
        Assert.Equal(3, dataset.ClipsIn(Split.Train).Count());
        Assert.All(dataset.ClipsIn(Split.Validation), c => Assert.Equal(s0, c.Speaker));
        var missing = Assert.Single(dataset.Skipped);
        Assert.EndsWith("gone_nohash_0.wav", missing.Path);
    }

    [Fact]
    public void Without_list_files_the_speaker_hash_splits_and_no_speaker_is_in_two_splits()
    {
        string root = SyntheticDatasets.SpeechCommandsLike(TestPaths.NewTempDir("scan-hash"), ["yes", "no", "cat"], 40, withNoise: false);

        var dataset = DatasetScanner.Scan(root);

        Assert.Empty(dataset.ResplitRoots);
        foreach (var clip in dataset.Clips)
            Assert.Equal(SpeakerHashSplit.Assign(clip.Speaker!, SplitOptions.Default), clip.Split);
        AssertSpeakerDisjoint(dataset.Clips);
        Assert.All(Enum.GetValues<Split>(), split => Assert.NotEmpty(dataset.ClipsIn(split)));
    }

    [Fact]
    public void A_root_whose_speakers_all_hash_outside_train_is_resplit_speaker_disjointly()
    {
        // Like the dev set: a root made only of Speech Commands test-split speakers.
        string root = TestPaths.NewTempDir("scan-resplit");
        var testSpeakers = Enumerable.Range(0, 2000).Select(i => $"t{i}")
            .Where(s => SpeakerHashSplit.Assign(s, SplitOptions.Default) == Split.Test).Take(40).ToList();
        int variant = 0;
        foreach (string speaker in testSpeakers)
            foreach (string word in new[] { "yes", "no" })
                SyntheticDatasets.WriteWord(Path.Combine(root, word, $"{speaker}_nohash_0.wav"), variant++);

        var dataset = DatasetScanner.Scan(root);

        Assert.Equal([root], dataset.ResplitRoots);
        Assert.NotEmpty(dataset.ClipsIn(Split.Train));
        AssertSpeakerDisjoint(dataset.Clips);
        var explicitSalt = DatasetScanner.Scan(root, SplitOptions.Default with { Salt = SplitOptions.ResplitSalt });
        Assert.Equal(explicitSalt.Clips, dataset.Clips);
        var faithful = DatasetScanner.Scan(root, SplitOptions.Default with { ResplitSingleSplitRoots = false });
        Assert.Empty(faithful.ResplitRoots);
        Assert.All(faithful.Clips, c => Assert.Equal(Split.Test, c.Split));
    }

    [Fact]
    public void A_missing_root_names_the_path()
    {
        string missing = Path.Combine(TestPaths.NewTempDir("scan-missing"), "nope");
        var e = Assert.Throws<HarkException>(() => DatasetScanner.Scan(missing));
        Assert.Contains(missing, e.Message);
    }

    internal static void AssertSpeakerDisjoint(IEnumerable<LabeledClip> clips)
    {
        foreach (var speaker in clips.Where(c => c.Speaker is not null).GroupBy(c => c.Speaker))
            Assert.True(speaker.Select(c => c.Split).Distinct().Count() == 1,
                $"speaker {speaker.Key} is in {string.Join(", ", speaker.Select(c => c.Split).Distinct())}");
    }
}
