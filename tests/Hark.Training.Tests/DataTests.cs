using Hark.Audio;
using Hark.Datasets;
using Hark.Tests;
using Hark.Training.Data;

namespace Hark.Training.Tests;

public class DataTests
{
    [Fact]
    public void Folder_labels_are_sorted_with_unknown_and_silence_last_and_noise_is_not_a_label()
    {
        string root = TestPaths.NewTempDir("layout");
        foreach (string label in new[] { Labels.Silence, "yes", Labels.Unknown, "no" })
            WriteClip(Path.Combine(root, label, "a1b2c3d4_nohash_0.wav"));
        WriteClip(Path.Combine(root, Labels.BackgroundNoiseFolder, "hum.wav"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));

        var data = TrainingDataLoader.Load(root);

        Assert.Equal(["no", "yes", Labels.Unknown, Labels.Silence], data.Labels);
        Assert.Equal(4, data.Clips.Count);
        Assert.All(data.Clips, c => Assert.Equal("a1b2c3d4", c.Speaker));
        Assert.Single(data.NoiseFiles);
    }

    [Fact]
    public void Split_lists_decide_the_split_when_present()
    {
        string root = SyntheticDataset.Write(TestPaths.NewTempDir("lists"), 2, 5, 2, 3);
        var counts = TrainingDataLoader.Load(root).Clips.GroupBy(c => c.Split).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, counts[Split.Train]);
        Assert.Equal(4, counts[Split.Validation]);
        Assert.Equal(6, counts[Split.Test]);
    }

    [Fact]
    public void Without_lists_a_speaker_stays_in_one_split()
    {
        string root = TestPaths.NewTempDir("hash-split");
        foreach (string speaker in Enumerable.Range(0, 30).Select(i => $"{i * 7919:x8}"))
            for (int n = 0; n < 2; n++)
                foreach (string label in new[] { "on", "off" })
                    WriteClip(Path.Combine(root, label, $"{speaker}_nohash_{n}.wav"));
        var data = TrainingDataLoader.Load(root);
        Assert.All(data.Clips.GroupBy(c => c.Speaker), g => Assert.Single(g.Select(c => c.Split).Distinct()));
    }

    [Fact]
    public void A_bad_data_folder_is_one_error_naming_it()
    {
        string missing = Path.Combine(TestPaths.NewTempDir("missing"), "nope");
        Assert.Equal($"{missing}: data folder not found", Assert.Throws<InputFileException>(() => TrainingDataLoader.Load(missing)).Message);
        string flat = TestPaths.NewTempDir("flat");
        WriteClip(Path.Combine(flat, "only", "x.wav"));
        Assert.Contains("at least two label folders", Assert.Throws<InputFileException>(() => TrainingDataLoader.Load(flat)).Message);
    }

    [Fact]
    public void Fingerprint_changes_with_the_clip_list_and_not_with_the_folder_location()
    {
        string a = SyntheticDataset.Write(TestPaths.NewTempDir("fp-a"), 2, 3, 1, 1);
        string b = SyntheticDataset.Write(TestPaths.NewTempDir("fp-b"), 2, 3, 1, 1);
        var dataA = TrainingDataLoader.Load(a);
        Assert.Equal(TrainingData.Fingerprint(dataA, a), TrainingData.Fingerprint(TrainingDataLoader.Load(b), b));
        Assert.NotEqual(TrainingData.Fingerprint(dataA, a), TrainingData.Fingerprint(dataA with { Clips = dataA.Clips.Skip(1).ToList() }, a));
    }

    private static void WriteClip(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WritePcm16(path, new float[1600], AudioClip.PipelineRate);
    }
}

public class AugmentationTests
{
    private const int Rate = 16000;

    private static float[] Tone(int length = Rate)
    {
        var samples = new float[length];
        for (int i = Rate / 4; i < Rate / 2; i++) samples[i] = 0.5f * MathF.Sin(2 * MathF.PI * 440 * i / Rate);
        return samples;
    }

    [Fact]
    public void Same_stream_gives_the_same_clip_and_another_stream_a_different_one()
    {
        float[] noise = [.. Enumerable.Range(0, 3 * Rate).Select(i => (float)Math.Sin(i * 0.37) * 0.2f)];
        var augmenter = new Augmenter(new AugmentationOptions { NoiseProbability = 1 }, [noise], Rate);
        float[] a = new float[Rate], b = new float[Rate], c = new float[Rate];
        augmenter.PerturbWaveform(Tone(), a, DeterministicRandom.For(1, "x"));
        augmenter.PerturbWaveform(Tone(), b, DeterministicRandom.For(1, "x"));
        augmenter.PerturbWaveform(Tone(), c, DeterministicRandom.For(2, "x"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Shift_only_moves_the_clip_by_at_most_the_limit()
    {
        var options = AugmentationOptions.None with { MaxShiftSeconds = 0.1 };
        var augmenter = new Augmenter(options, [], Rate);
        float[] clean = Tone();
        for (int seed = 0; seed < 20; seed++)
        {
            float[] shifted = new float[Rate];
            augmenter.PerturbWaveform(clean, shifted, DeterministicRandom.For(seed, "shift"));
            int firstClean = Array.FindIndex(clean, v => v != 0), firstShifted = Array.FindIndex(shifted, v => v != 0);
            int offset = firstShifted - firstClean;
            Assert.InRange(Math.Abs(offset), 0, Rate / 10);
            for (int i = Rate / 4 + Rate / 10; i < Rate / 2 - Rate / 10; i++) Assert.Equal(clean[i], shifted[i + offset]);
        }
    }

    [Fact]
    public void Noise_is_mixed_at_the_drawn_signal_to_noise_ratio()
    {
        float[] noise = [.. Enumerable.Range(0, 2 * Rate).Select(i => (float)Math.Sin(i * 1.3) * 0.3f)];
        var options = AugmentationOptions.None with { NoiseProbability = 1, MinSnrDb = 10, MaxSnrDb = 10 };
        var augmenter = new Augmenter(options, [noise], Rate);
        float[] clean = Tone(), mixed = new float[Rate];
        augmenter.PerturbWaveform(clean, mixed, DeterministicRandom.For(3, "snr"));
        double signal = clean.Sum(v => (double)v * v), residual = clean.Select((v, i) => (double)(mixed[i] - v) * (mixed[i] - v)).Sum();
        Assert.Equal(10, 10 * Math.Log10(signal / residual), 1);
    }

    [Fact]
    public void Speed_perturbation_changes_the_pitch_within_the_range()
    {
        var options = AugmentationOptions.None with { SpeedRange = 0.1 };
        var augmenter = new Augmenter(options, [], Rate);
        float[] clean = new float[Rate];
        for (int i = 0; i < Rate; i++) clean[i] = MathF.Sin(2 * MathF.PI * 400 * i / Rate);
        var frequencies = Enumerable.Range(0, 20).Select(seed =>
        {
            float[] perturbed = new float[Rate];
            augmenter.PerturbWaveform(clean, perturbed, DeterministicRandom.For(seed, "speed"));
            return ZeroCrossings(perturbed.AsSpan(Rate / 4, Rate / 2)) / 2.0 / 0.5;
        }).ToList();
        Assert.All(frequencies, f => Assert.InRange(f, 355, 445));
        Assert.True(frequencies.Max() - frequencies.Min() > 30, $"pitches {string.Join(", ", frequencies)} barely vary");
    }

    [Fact]
    public void Spec_augment_masks_whole_frames_and_feature_columns_with_the_mean()
    {
        var options = AugmentationOptions.None with { TimeMasks = 1, MaxTimeMaskFrames = 5, FeatureMasks = 1, MaxFeatureMaskWidth = 2 };
        var augmenter = new Augmenter(options, [], Rate);
        const int frames = 49, width = 10;
        float[] features = [.. Enumerable.Range(0, frames * width).Select(i => (float)i)];
        float mean = features.Average();
        augmenter.MaskFeatures(features, width, DeterministicRandom.For(4, "mask"));
        int masked = features.Count(v => v == mean);
        Assert.True(masked > 0);
        for (int f = 0; f < frames; f++)
        {
            var row = features.AsSpan(f * width, width).ToArray();
            // A frame is either fully masked, or masked only in the (at most two) masked feature columns.
            Assert.True(row.All(v => v == mean) || row.Count(v => v == mean) <= 2);
        }
    }

    [Fact]
    public void Channel_filters_pass_their_band_and_cut_outside_it()
    {
        var lowPass = Biquad.LowPass(1000, Rate);
        Assert.Equal(1, lowPass.Gain(100, Rate), 2);
        Assert.Equal(Math.Sqrt(0.5), lowPass.Gain(1000, Rate), 3);
        Assert.True(lowPass.Gain(4000, Rate) < 0.08);
        var highPass = Biquad.HighPass(300, Rate);
        Assert.True(highPass.Gain(50, Rate) < 0.05);
        Assert.Equal(1, highPass.Gain(3000, Rate), 2);
        var peak = Biquad.Peaking(1000, 6, 1, Rate);
        Assert.Equal(Math.Pow(10, 6 / 20.0), peak.Gain(1000, Rate), 3);
        Assert.Equal(1, peak.Gain(7000, Rate), 1);

        // The filter that processes samples is the one whose response was checked: a 4 kHz tone through the low-pass.
        float[] tone = [.. Enumerable.Range(0, Rate).Select(i => MathF.Sin(2 * MathF.PI * 4000 * i / Rate))];
        lowPass.Process(tone);
        double rms = Math.Sqrt(tone.Skip(Rate / 2).Average(v => (double)v * v));
        Assert.Equal(lowPass.Gain(4000, Rate) * Math.Sqrt(0.5), rms, 3);
    }

    [Fact]
    public void A_random_channel_changes_the_spectrum_but_not_the_timing()
    {
        var channel = new Augmenter(AugmentationOptions.None with { ChannelProbability = 1, MaxEqDb = 0, MinLowPassHz = 2500, MaxLowPassHz = 2500 }, [], Rate);
        float[] clean = new float[Rate];
        for (int i = Rate / 4; i < Rate / 2; i++) clean[i] = 0.3f * (MathF.Sin(2 * MathF.PI * 500 * i / Rate) + MathF.Sin(2 * MathF.PI * 6000 * i / Rate));
        float[] filtered = new float[Rate];
        channel.PerturbWaveform(clean, filtered, DeterministicRandom.For(7, "channel"));

        // Only the 500 Hz half survives a 2.5 kHz low-pass (less what the high-pass takes), still only where the tone was.
        double Power(float[] x, int from, int to) => x.Skip(from).Take(to - from).Average(v => (double)v * v);
        Assert.InRange(Power(filtered, Rate / 4 + 1600, Rate / 2) / Power(clean, Rate / 4 + 1600, Rate / 2), 0.3, 0.6);
        Assert.True(Power(filtered, Rate / 2 + 1600, Rate) < 1e-5);

        var again = new float[Rate];
        channel.PerturbWaveform(clean, again, DeterministicRandom.For(7, "channel"));
        Assert.Equal(filtered, again);
    }

    [Fact]
    public void Overdrive_flattens_the_peaks_and_keeps_the_level()
    {
        var clip = new Augmenter(AugmentationOptions.None with { ClipProbability = 1, MaxClipDriveDb = 20 }, [], Rate);
        float[] clean = Tone(), driven = new float[Rate];
        int flattened = 0;
        for (int seed = 0; seed < 10; seed++)
        {
            clip.PerturbWaveform(clean, driven, DeterministicRandom.For(seed, "clip"));
            Assert.Equal(clean.Max(), driven.Max(), 4);
            Assert.All(driven, v => Assert.InRange(v, -0.5f, 0.5f));
            // A driven sine spends more of its time near its peak than a clean one does.
            if (driven.Count(v => Math.Abs(v) > 0.49f) > 2 * clean.Count(v => Math.Abs(v) > 0.49f)) flattened++;
        }
        Assert.True(flattened >= 7, $"only {flattened} of 10 clips were overdriven audibly");
    }

    [Fact]
    public void Channel_settings_outside_their_ranges_are_reported()
    {
        var errors = (AugmentationOptions.None with { ChannelProbability = 1.5, MinLowPassHz = 100, MaxClipDriveDb = -1 }).Errors().ToList();
        Assert.Contains("channel probability must be in [0, 1]", errors);
        Assert.Contains("low-pass range must lie above the high-pass range, min <= max", errors);
        Assert.Contains("clip drive must be in [0, 40] dB", errors);
    }

    private static int ZeroCrossings(ReadOnlySpan<float> x)
    {
        int count = 0;
        for (int i = 1; i < x.Length; i++) if ((x[i - 1] < 0) != (x[i] < 0)) count++;
        return count;
    }
}
