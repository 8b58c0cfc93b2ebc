using Hark.Audio;

namespace Hark.Tests.Audio;

public class WavWriterTests
{
    [Fact]
    public void Written_file_reads_back_within_half_a_quantisation_step()
    {
        float[] samples = [0f, 0.5f, -0.5f, 0.123f, -0.999f, 1e-5f];
        var stream = new MemoryStream();

        WavWriter.WritePcm16(stream, samples, 22050);
        var clip = WavReader.Parse(stream.ToArray(), "written.wav");

        Assert.Equal(22050, clip.SampleRate);
        Assert.Equal(44 + 2 * samples.Length, stream.Length);
        Assert.Equal(samples.Length, clip.Samples.Length);
        for (int i = 0; i < samples.Length; i++)
            Assert.InRange(clip.Samples[i] - samples[i], -0.5f / 32768, 0.5f / 32768);
    }

    [Theory]
    [InlineData(1.5f, short.MaxValue)]
    [InlineData(-3f, short.MinValue)]
    [InlineData(float.PositiveInfinity, short.MaxValue)]
    [InlineData(float.NaN, 0)]
    [InlineData(0.99999f, short.MaxValue)]
    [InlineData(-1f, short.MinValue)]
    public void Out_of_range_samples_saturate_instead_of_wrapping(float sample, short expected)
    {
        Assert.Equal(expected, WavWriter.ToPcm16(sample));
    }

    [Fact]
    public void Long_clips_are_written_whole_across_internal_blocks()
    {
        var samples = ResamplerTests.Tone(440, 16000, 10_001, 0.5f);
        var stream = new MemoryStream();

        WavWriter.WritePcm16(stream, samples, 16000);
        var clip = WavReader.Parse(stream.ToArray(), "long.wav");

        Assert.Equal(samples.Length, clip.Samples.Length);
        Assert.Equal(WavWriter.ToPcm16(samples[^1]) / 32768f, clip.Samples[^1]);
    }

    [Fact]
    public void Writing_a_path_replaces_the_file_and_leaves_nothing_else_behind()
    {
        string dir = TestPaths.NewTempDir("wav-writer");
        string path = Path.Combine(dir, "out.wav");
        File.WriteAllText(path, "old content");

        WavWriter.WritePcm16(path, [0.25f, -0.25f], 16000);

        Assert.Equal([0.25f, -0.25f], WavReader.Read(path).Samples);
        Assert.Equal(["out.wav"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Failed_write_leaves_no_partial_file()
    {
        string dir = TestPaths.NewTempDir("wav-writer-fail");
        string path = Path.Combine(dir, "missing-subdir", "out.wav");

        Assert.ThrowsAny<IOException>(() => WavWriter.WritePcm16(path, [0.1f], 16000));
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }
}
