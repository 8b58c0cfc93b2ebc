using Hark.Audio;
using Hark.Datasets;
using Hark.Streaming;
using Hark.Tests.Datasets;

namespace Hark.Tests.Streaming;

public class StreamBuilderTests
{
    private static StreamBenchOptions Options(string data, string output, double minutes = 1.0) => new()
    {
        DataRoots = [data],
        Keywords = ["yes", "no"],
        Minutes = minutes,
        OutputDir = output,
        Seed = 5,
        KeywordsPerMinute = 8,
        DistractorsPerMinute = 6,
    };

    [Fact]
    public void Finds_the_tone_burst_inside_its_padded_second()
    {
        string dir = TestPaths.NewTempDir("speech");
        string path = Path.Combine(dir, "w.wav");
        StreamTestData.WriteWordClip(path, 3);
        var speech = StreamBuilder.FindSpeech(WavReader.ReadPipeline(path).Samples, 16000)!.Value;

        Assert.InRange(speech.Start / 16000.0, StreamTestData.SpeechStart - 0.011, StreamTestData.SpeechStart + 0.011);
        Assert.InRange(speech.End / 16000.0, StreamTestData.SpeechEnd - 0.011, StreamTestData.SpeechEnd + 0.011);
        Assert.Null(StreamBuilder.FindSpeech(new float[16000], 16000));
    }

    [Fact]
    public void Same_seed_gives_byte_identical_files_and_another_seed_does_not()
    {
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data"));
        string root = TestPaths.NewTempDir("bench-out");
        StreamBuilder.Build(Options(data, Path.Combine(root, "a")));
        StreamBuilder.Build(Options(data, Path.Combine(root, "b")));
        StreamBuilder.Build(Options(data, Path.Combine(root, "c")) with { Seed = 6 });

        foreach (string file in new[] { StreamTruth.WavFileName, StreamTruth.FileName })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", file)), File.ReadAllBytes(Path.Combine(root, "b", file)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(root, "a", file)), File.ReadAllBytes(Path.Combine(root, "c", file)));
        }
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "a")).Length);
        Assert.Empty(Directory.GetDirectories(root, "*.tmp-*"));
    }

    [Fact]
    public void Truth_times_are_the_spoken_words_and_their_SNR_is_what_the_stream_holds()
    {
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data"));
        string output = Path.Combine(TestPaths.NewTempDir("bench-out"), "s");
        // One noise level and one SNR, no silence gaps: the measured ratio must then be the one asked for.
        var truth = StreamBuilder.Build(Options(data, output) with { SnrMinDb = 15, SnrMaxDb = 15, NoiseMinDb = -35, NoiseMaxDb = -35, SilenceGapProbability = 0 });
        var audio = WavReader.Read(Path.Combine(output, StreamTruth.WavFileName));

        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(truth.Samples, audio.Samples.Length);
        Assert.Equal(8, truth.Keywords.Count);
        Assert.Equal(4, truth.Keywords.Count(k => k.Label == "yes"));
        Assert.Equal(6, truth.Distractors.Count);
        Assert.All(truth.Distractors, d => Assert.Contains(d.Label, new[] { "up", "down" }));
        foreach (var word in truth.Keywords.Concat(truth.Distractors))
        {
            // The burst lasts 0.4 s of its 1 s file; the cut adds the 0.15 s margins around it.
            Assert.InRange(word.EndS - word.StartS, 0.38, 0.42);
            Assert.InRange(word.StartS - word.PlacedStartS, 0.14, 0.16);
            Assert.InRange(word.PlacedEndS - word.EndS, 0.14, 0.16);
            Assert.Equal(word.StartS, word.StartSample / 16000.0, 5);
            double speech = Rms(audio.Samples, word.StartSample + 400, word.EndSample - 400);
            double before = Rms(audio.Samples, (long)((word.PlacedStartS - 0.5) * 16000), (long)(word.PlacedStartS * 16000));
            double after = Rms(audio.Samples, (long)(word.PlacedEndS * 16000), (long)((word.PlacedEndS + 0.5) * 16000));
            Assert.InRange(20 * Math.Log10(speech / before), 13.5, 16.5);
            Assert.InRange(20 * Math.Log10(speech / after), 13.5, 16.5);
            Assert.Equal(15, word.SnrDb!.Value, 0.3);
        }
        // Words stay apart and inside the stream, leaving the first window and a tail free.
        var all = truth.Keywords.Concat(truth.Distractors).OrderBy(w => w.PlacedStartS).ToList();
        for (int i = 1; i < all.Count; i++) Assert.True(all[i].PlacedStartS - all[i - 1].PlacedEndS >= 2 - 1e-6);
        Assert.True(all[0].PlacedStartS >= 1);
        Assert.True(all[^1].PlacedEndS <= truth.DurationS - 1.5 + 1e-6);
    }

    [Fact]
    public void A_split_takes_only_its_speakers_and_its_stretch_of_the_noise()
    {
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data"), speakers: 30);
        string output = Path.Combine(TestPaths.NewTempDir("bench-out"), "s");
        var truth = StreamBuilder.Build(Options(data, output) with { Splits = [Split.Test] });
        var testSpeakers = DatasetScanner.Scan(data).ClipsIn(Split.Test).Select(c => c.Speaker).ToHashSet();

        Assert.Equal(["test"], truth.Splits);
        Assert.NotEmpty(testSpeakers);
        Assert.All(truth.Keywords.Concat(truth.Distractors), w =>
        {
            Assert.Equal("test", w.Split);
            Assert.Contains(w.Speaker, testSpeakers);
        });
        // The test stretch of a 40 s recording is its last 10 %: [36 s, 40 s).
        Assert.All(truth.Background.Where(b => b.Source is not null), b => Assert.InRange(b.OffsetS, 36 - 1e-6, 40));
    }

    [Fact]
    public void Unreadable_and_silent_clips_are_skipped_and_listed()
    {
        // 8 good clips per keyword and 12 placements of each: every clip, the bad ones too, is dealt.
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data"), speakers: 4);
        File.WriteAllText(Path.Combine(data, "yes", "broken_nohash_0.wav"), "not a wav");
        WavWriter.WritePcm16(Path.Combine(data, "no", "quiet_nohash_0.wav"), new float[16000], 16000);
        var truth = StreamBuilder.Build(Options(data, Path.Combine(TestPaths.NewTempDir("bench-out"), "s"), minutes: 3));

        Assert.Contains(truth.Skipped, s => s.Path.EndsWith("broken_nohash_0.wav"));
        Assert.Contains(truth.Skipped, s => s.Path.EndsWith("quiet_nohash_0.wav") && s.Reason.Contains("no speech"));
        Assert.DoesNotContain(truth.Keywords, k => k.Clip.EndsWith("broken_nohash_0.wav") || k.Clip.EndsWith("quiet_nohash_0.wav"));
    }

    [Fact]
    public void Bad_inputs_are_one_line_errors_and_inputs_are_never_modified()
    {
        string data = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data"));
        var before = SyntheticDatasets.Fingerprint(data);
        string root = TestPaths.NewTempDir("bench-out");

        var missing = Assert.Throws<HarkException>(() => StreamBuilder.Build(Options(data, Path.Combine(root, "a")) with { Keywords = ["maybe"] }));
        Assert.Contains("no clips of keyword 'maybe'", missing.Message);
        var inside = Assert.Throws<HarkException>(() => StreamBuilder.Build(Options(data, Path.Combine(data, "out"))));
        Assert.Contains("inside input folder", inside.Message);
        var crowded = Assert.Throws<HarkException>(() => StreamBuilder.Build(Options(data, Path.Combine(root, "b"), minutes: 0.2) with { KeywordsPerMinute = 30, DistractorsPerMinute = 30 }));
        Assert.Contains("lower --keywords-per-minute", crowded.Message);

        string existing = Path.Combine(root, "c");
        Directory.CreateDirectory(existing);
        File.WriteAllText(Path.Combine(existing, "keep.txt"), "mine");
        var refused = Assert.Throws<HarkException>(() => StreamBuilder.Build(Options(data, existing)));
        Assert.Contains("not empty", refused.Message);
        StreamBuilder.Build(Options(data, existing) with { Force = true });
        Assert.False(File.Exists(Path.Combine(existing, "keep.txt")));

        string noNoise = StreamTestData.Dataset(TestPaths.NewTempDir("bench-data-quiet"), speakers: 2, withNoise: false);
        var quiet = Assert.Throws<HarkException>(() => StreamBuilder.Build(Options(noNoise, Path.Combine(root, "d"))));
        Assert.Contains("_background_noise_", quiet.Message);
        foreach (var e in new[] { missing, inside, crowded, refused, quiet }) Assert.DoesNotContain('\n', e.Message);

        Assert.Equal(before, SyntheticDatasets.Fingerprint(data));
        // Failed builds leave nothing behind, not even their temporary folders.
        Assert.Equal(new[] { "c" }, Directory.GetFileSystemEntries(root).Select(p => Path.GetFileName(p)).ToArray());
    }

    private static double Rms(float[] samples, long from, long to)
    {
        double sum = 0;
        for (long i = from; i < to; i++) sum += (double)samples[i] * samples[i];
        return Math.Sqrt(sum / (to - from));
    }
}
