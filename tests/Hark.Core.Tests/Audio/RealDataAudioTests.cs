using Hark.Audio;

namespace Hark.Tests.Audio;

/// <summary>The reader on the real Speech Commands files (16 kHz mono 16-bit), when they are present.</summary>
public class RealDataAudioTests
{
    [SkippableFact]
    public void Every_background_noise_file_reads_at_16_kHz()
    {
        string root = TestPaths.RequireSpeechCommandsDev();
        var files = Directory.GetFiles(Path.Combine(root, "_background_noise_"), "*.wav");
        Assert.NotEmpty(files);

        foreach (string file in files)
        {
            var clip = WavReader.ReadPipeline(file);
            Assert.Equal(AudioClip.PipelineRate, clip.SampleRate);
            Assert.True(clip.DurationSeconds > 1, $"{file}: {clip.DurationSeconds} s");
            AssertIs16BitAudio(file, clip);
        }
    }

    [SkippableFact]
    public void A_sample_of_word_and_silence_clips_reads_as_one_second_or_less_at_16_kHz()
    {
        string root = TestPaths.RequireSpeechCommandsDev();
        // Every 10th file in sorted order: deterministic and spread over all words and speakers.
        var files = Directory.GetDirectories(root).Where(d => Path.GetFileName(d) != "_background_noise_")
            .SelectMany(d => Directory.GetFiles(d, "*.wav")).Order(StringComparer.Ordinal)
            .Where((_, i) => i % 10 == 0).ToArray();
        Assert.True(files.Length >= 100, $"only {files.Length} clips sampled");

        foreach (string file in files)
        {
            var clip = WavReader.ReadPipeline(file);
            Assert.Equal(AudioClip.PipelineRate, clip.SampleRate);
            Assert.InRange(clip.Samples.Length, 1, AudioClip.PipelineRate);
            // A canonical 44-byte header: every data byte is a sample, none lost or invented.
            Assert.Equal((new FileInfo(file).Length - 44) / 2, clip.Samples.Length);
            AssertIs16BitAudio(file, clip);
        }
    }

    private static void AssertIs16BitAudio(string file, AudioClip clip)
    {
        // Decoded 16-bit samples are exact multiples of 1/32768; anything else means misaligned or misread bytes.
        bool anyNonZero = false;
        foreach (float sample in clip.Samples)
        {
            float code = sample * 32768f;
            Assert.True(code == MathF.Round(code) && Math.Abs(sample) <= 1f, $"{file}: sample {sample}");
            anyNonZero |= sample != 0;
        }
        Assert.True(anyNonZero, $"{file} decoded to pure silence");
    }
}
