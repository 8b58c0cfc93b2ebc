using Hark.Audio;
using Hark.Datasets;
using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class DatasetSynthesizerTests
{
    private static readonly string[] Words = ["yes", "trick or treat"];

    private static bool SynthesizersInstalled =>
        File.Exists("/usr/bin/espeak-ng") && File.Exists("/usr/bin/flite");

    private static SynthesisOptions Options(string dir, int seed) =>
        new(Words, PerWord: 3, dir, seed, NoiseSeconds: 1, Jobs: 2);

    [SkippableFact]
    public void Synthesizes_a_speech_commands_layout_deterministically()
    {
        Skip.IfNot(SynthesizersInstalled, "espeak-ng and flite are not installed (apt-get install espeak-ng flite)");
        string root = TestPaths.NewTempDir("synth");
        try
        {
            var first = DatasetSynthesizer.Run(Options(Path.Combine(root, "a"), seed: 4));
            DatasetSynthesizer.Run(Options(Path.Combine(root, "b"), seed: 4));
            DatasetSynthesizer.Run(Options(Path.Combine(root, "c"), seed: 5));

            Assert.Equal(new Dictionary<string, int> { ["yes"] = 3, ["trick_or_treat"] = 3 }, first.ClipsPerWord);
            var files = Listing(Path.Combine(root, "a"));
            Assert.Equal(Listing(Path.Combine(root, "b")), files);
            foreach (string file in files)
                Assert.Equal(File.ReadAllBytes(Path.Combine(root, "a", file)), File.ReadAllBytes(Path.Combine(root, "b", file)));
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(root, "a", files[0])), File.ReadAllBytes(Path.Combine(root, "c", files[0])));

            Assert.Contains("synth.json", files);
            Assert.Contains(Path.Combine(Labels.BackgroundNoiseFolder, "babble.wav"), files);
            foreach (string word in Words)
            {
                string folder = Path.Combine(root, "a", Labels.ToFolderName(word));
                var clips = Directory.GetFiles(folder);
                Assert.Equal(3, clips.Length);
                foreach (string path in clips)
                {
                    Assert.Matches("^[0-9a-f]{8}_nohash_0\\.wav$", Path.GetFileName(path));
                    var clip = WavReader.Read(path);
                    Assert.Equal(AudioClip.PipelineRate, clip.SampleRate);
                    Assert.Equal(AudioClip.PipelineRate, clip.Samples.Length);
                    Assert.True(clip.Samples.Max(Math.Abs) > 0.05f, $"{path} is nearly silent");
                    // Centred: the first and last 10 ms are quiet, so nothing of the word was cut off.
                    Assert.True(clip.Samples.AsSpan(0, 160).ToArray().Max(Math.Abs) < 0.02f, $"{path} starts mid-word");
                }
            }
            // Each speaker says each word, so both folders hold the same speaker ids.
            Assert.Equal(SpeakerIds(root, "yes"), SpeakerIds(root, "trick_or_treat"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Refuses_a_non_empty_output_folder_without_force_and_leaves_it_alone()
    {
        string root = TestPaths.NewTempDir("synth-refuse");
        try
        {
            File.WriteAllText(Path.Combine(root, "keep.txt"), "mine");
            var error = Assert.Throws<HarkException>(() => DatasetSynthesizer.Run(Options(root, seed: 1)));
            Assert.Contains("--force", error.Message);
            Assert.Equal("mine", File.ReadAllText(Path.Combine(root, "keep.txt")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Espeak_streamed_header_sizes_are_repaired()
    {
        var wav = new byte[44 + 10];
        "RIFF"u8.CopyTo(wav);
        BitConverter.GetBytes(0x7FFFF024).CopyTo(wav, 4);
        "WAVEfmt "u8.CopyTo(wav.AsSpan(8));
        BitConverter.GetBytes(16).CopyTo(wav, 16);
        "data"u8.CopyTo(wav.AsSpan(36));
        BitConverter.GetBytes(0x7FFFF000).CopyTo(wav, 40);
        SpeechEngines.RepairStreamedSizes(wav);
        Assert.Equal(46, BitConverter.ToInt32(wav, 4));
        Assert.Equal(10, BitConverter.ToInt32(wav, 40));
    }

    private static List<string> Listing(string dir) =>
        [.. Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f)).Order(StringComparer.Ordinal)];

    private static string[] SpeakerIds(string root, string folder) =>
        [.. Directory.GetFiles(Path.Combine(root, "a", folder)).Select(f => Path.GetFileName(f)[..8]).Order(StringComparer.Ordinal)];
}
