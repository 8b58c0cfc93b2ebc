using System.Security.Cryptography;
using Hark.Audio;
using Hark.Segmentation;

namespace Hark.Tests.Segmentation;

public class ClipCutterTests
{
    [Fact]
    public void Writes_one_centred_clip_per_utterance_and_leaves_the_input_alone()
    {
        string dir = TestPaths.NewTempDir("clips");
        try
        {
            double[] centres = [1.0, 2.5, 4.0];
            var recording = UtteranceDetectorTests.Noise(5, rms: 0.001f, seed: 1);
            foreach (double centre in centres) UtteranceDetectorTests.Place(recording, UtteranceDetectorTests.Burst(0.4, 0.5f), centre);
            string input = Path.Combine(dir, "My Take_01.wav");
            WavWriter.WritePcm16(input, recording, AudioClip.PipelineRate);
            byte[] before = SHA256.HashData(File.ReadAllBytes(input));

            var result = ClipCutter.Cut(input, "Trick or Treat", Path.Combine(dir, "out"));

            Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(input)));
            Assert.Equal(3, result.ClipFiles.Count);
            for (int n = 0; n < 3; n++)
            {
                string expected = Path.Combine(dir, "out", "trick_or_treat", $"my-take-01_nohash_{n}.wav");
                Assert.Equal(expected, result.ClipFiles[n]);
                var clip = WavReader.Read(expected);
                Assert.Equal(AudioClip.PipelineRate, clip.Samples.Length);
                // The burst's peak lands at the clip's middle.
                int loudest = Array.IndexOf(clip.Samples, clip.Samples.Max());
                Assert.InRange(loudest, 8000 - 800, 8000 + 800);
            }
            Assert.Empty(Directory.GetFiles(Path.Combine(dir, "out", "trick_or_treat"), "*.partial"));

            var again = Assert.Throws<HarkException>(() => ClipCutter.Cut(input, "trick or treat", Path.Combine(dir, "out")));
            Assert.Contains("--force", again.Message);
            Assert.Equal(3, ClipCutter.Cut(input, "trick or treat", Path.Combine(dir, "out"), force: true).ClipFiles.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Noise_only_recording_writes_nothing()
    {
        string dir = TestPaths.NewTempDir("clips-noise");
        try
        {
            string input = Path.Combine(dir, "room.wav");
            WavWriter.WritePcm16(input, UtteranceDetectorTests.Noise(3, rms: 0.01f, seed: 2), AudioClip.PipelineRate);
            var result = ClipCutter.Cut(input, "yes", Path.Combine(dir, "out"));
            Assert.Empty(result.Utterances);
            Assert.False(Directory.Exists(Path.Combine(dir, "out", "yes")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_wav_is_a_one_line_error_naming_it()
    {
        string dir = TestPaths.NewTempDir("clips-bad");
        try
        {
            string input = Path.Combine(dir, "notes.wav");
            File.WriteAllText(input, "not audio");
            var error = Assert.ThrowsAny<InputFileException>(() => ClipCutter.Cut(input, "yes", Path.Combine(dir, "out")));
            Assert.StartsWith(input, error.Message);
            Assert.DoesNotContain('\n', error.Message);
            Assert.False(Directory.Exists(Path.Combine(dir, "out")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Window_near_the_edges_is_zero_padded()
    {
        var samples = Enumerable.Repeat(1f, 4000).ToArray();
        var window = new float[16000];
        ClipCutter.CentredWindow(samples, centreSeconds: 0.1, window);
        Assert.Equal(0f, window[0]);
        Assert.Equal(1f, window[8000 - 1600]);
        Assert.Equal(1f, window[8000 - 1600 + 3999]);
        Assert.Equal(0f, window[8000 - 1600 + 4000]);
    }
}
