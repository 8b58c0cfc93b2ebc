using Hark.Audio;

namespace Hark.Tests.Audio;

/// <summary>The block reader long benchmark streams are read with: the same samples as the whole-file reader, in any
/// block size; refusals with the file's name for what it cannot read.</summary>
public class Pcm16WavStreamTests
{
    [Fact]
    public void Blocks_of_any_size_give_the_samples_the_whole_file_reader_gives()
    {
        string dir = TestPaths.NewTempDir("pcm16-stream");
        string path = Path.Combine(dir, "x.wav");
        var random = DeterministicRandom.For(3, "pcm16");
        var samples = Enumerable.Range(0, 50_001).Select(_ => (float)random.NextDouble(-1, 1)).ToArray();
        WavWriter.WritePcm16(path, samples, 16000);
        var expected = WavReader.Read(path).Samples.Select(WavWriter.ToPcm16).ToArray();
        foreach (int block in new[] { 1, 7, 4096, 100_000 })
        {
            using var stream = Pcm16WavStream.Open(path);
            Assert.Equal(16000, stream.SampleRate);
            Assert.Equal(expected.Length, stream.Samples);
            var got = new List<short>();
            var buffer = new short[block];
            for (int n; (n = stream.Read(buffer)) > 0;) got.AddRange(buffer.AsSpan(0, n).ToArray());
            Assert.Equal(expected, got);
            Assert.Equal(0, stream.Remaining);
        }
    }

    [Fact]
    public void Files_it_cannot_stream_are_refused_with_their_name()
    {
        string dir = TestPaths.NewTempDir("pcm16-refuse");
        string stereo = Path.Combine(dir, "stereo.wav"), text = Path.Combine(dir, "text.wav");
        File.WriteAllBytes(stereo, WavBytes.Valid(TestEncoding.Pcm16, 2, 16000, [0.1, 0.2, 0.3, 0.4]).Build());
        File.WriteAllText(text, "not audio");
        Assert.Contains("16-bit PCM mono", Assert.Throws<WavFormatException>(() => Pcm16WavStream.Open(stereo)).Message);
        Assert.StartsWith(text, Assert.Throws<WavFormatException>(() => Pcm16WavStream.Open(text)).Message);
        Assert.Contains("not found", Assert.Throws<WavFormatException>(() => Pcm16WavStream.Open(Path.Combine(dir, "none.wav"))).Message);
    }
}
