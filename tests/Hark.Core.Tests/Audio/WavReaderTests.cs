using System.Buffers.Binary;
using System.Text;
using Hark.Audio;

namespace Hark.Tests.Audio;

public class WavReaderTests
{
    private const string Name = "clip.wav";

    // Spans the full scale, both signs, zero and the clipping points, so sign extension and scaling are exercised.
    private static readonly double[] Ramp = [0, 0.5, -0.5, 0.25, -0.999, 0.999, 1e-3, -1e-3, -1, 0.123456789];

    public static TheoryData<TestEncoding> Encodings() => new(Enum.GetValues<TestEncoding>());

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Every_encoding_round_trips_to_the_quantised_values(TestEncoding encoding)
    {
        var clip = WavReader.Parse(WavBytes.Valid(encoding, 1, 22050, Ramp).Build(), Name);

        Assert.Equal(22050, clip.SampleRate);
        AssertSamples(Ramp.Select(v => WavBytes.Decoded(encoding, v)), clip.Samples);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Extensible_format_reads_like_the_plain_one(TestEncoding encoding)
    {
        var bytes = new WavBytes().FmtExtensible(encoding, 1, 48000).Data(WavBytes.Encode(encoding, Ramp)).Build();

        var clip = WavReader.Parse(bytes, Name);

        Assert.Equal(48000, clip.SampleRate);
        AssertSamples(Ramp.Select(v => WavBytes.Decoded(encoding, v)), clip.Samples);
    }

    [Fact]
    public void Twenty_bit_audio_in_24_bit_containers_reads_by_container()
    {
        var bytes = new WavBytes().FmtExtensible(TestEncoding.Pcm24, 1, 16000, validBits: 20)
            .Data(WavBytes.Encode(TestEncoding.Pcm24, Ramp)).Build();

        AssertSamples(Ramp.Select(v => WavBytes.Decoded(TestEncoding.Pcm24, v)), WavReader.Parse(bytes, Name).Samples);
    }

    [Fact]
    public void Twelve_bit_samples_in_two_byte_containers_read_as_16_bit()
    {
        var bytes = new WavBytes().FmtRaw(1, 1, 16000, blockAlign: 2, bitsPerSample: 12)
            .Data(WavBytes.Encode(TestEncoding.Pcm16, Ramp)).Build();

        AssertSamples(Ramp.Select(v => WavBytes.Decoded(TestEncoding.Pcm16, v)), WavReader.Parse(bytes, Name).Samples);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Channels_are_averaged_into_mono(TestEncoding encoding)
    {
        // Three channels per frame: left, right and centre hold unrelated values.
        double[] interleaved = [0.5, -0.25, 0.125, 1, -1, 0, -0.75, -0.75, -0.75, 0.3, 0.6, -0.3];
        var clip = WavReader.Parse(WavBytes.Valid(encoding, 3, 8000, interleaved).Build(), Name);

        var expected = interleaved.Chunk(3).Select(frame => frame.Average(v => WavBytes.Decoded(encoding, v)));
        AssertSamples(expected, clip.Samples);
    }

    [Fact]
    public void Stereo_with_opposite_channels_cancels_to_silence()
    {
        double[] interleaved = [0.5, -0.5, -0.25, 0.25];
        var clip = WavReader.Parse(WavBytes.Valid(TestEncoding.Pcm16, 2, 16000, interleaved).Build(), Name);

        Assert.Equal([0f, 0f], clip.Samples);
    }

    [Fact]
    public void Extra_chunks_in_any_order_with_odd_sizes_are_skipped()
    {
        var data = WavBytes.Encode(TestEncoding.UnsignedPcm8, Ramp[..3]); // 3 bytes: an odd data chunk
        var bytes = new WavBytes()
            .Chunk("JUNK", new byte[27])
            .Chunk("LIST", Encoding.ASCII.GetBytes("INFOISFT\x05\0\0\0Hark\0"))
            .Chunk("bext", new byte[5])
            .Fmt(TestEncoding.UnsignedPcm8, 1, 11025)
            .Chunk("fact", new byte[4])
            .Data(data)
            .Chunk("cue ", new byte[7])
            .Build();

        var clip = WavReader.Parse(bytes, Name);

        Assert.Equal(11025, clip.SampleRate);
        AssertSamples(Ramp[..3].Select(v => WavBytes.Decoded(TestEncoding.UnsignedPcm8, v)), clip.Samples);
    }

    [Fact]
    public void Odd_chunk_without_its_pad_byte_is_still_followed()
    {
        var bytes = new WavBytes()
            .Chunk("LIST", new byte[9], pad: false)
            .Fmt(TestEncoding.Pcm16, 1, 16000)
            .Data(WavBytes.Encode(TestEncoding.Pcm16, Ramp))
            .Build();

        Assert.Equal(Ramp.Length, WavReader.Parse(bytes, Name).Samples.Length);
    }

    [Fact]
    public void Data_before_fmt_is_accepted()
    {
        var bytes = new WavBytes().Data(WavBytes.Encode(TestEncoding.Pcm16, Ramp)).Fmt(TestEncoding.Pcm16, 1, 16000).Build();

        AssertSamples(Ramp.Select(v => WavBytes.Decoded(TestEncoding.Pcm16, v)), WavReader.Parse(bytes, Name).Samples);
    }

    [Theory]
    [InlineData(0xFFFFFFFFu)] // what crashed or streaming recorders leave behind, and RF64's placeholder
    [InlineData(0u)]          // a header written before recording and never updated
    [InlineData(1000u)]       // a file cut short by a copy
    public void Data_size_that_does_not_match_the_file_yields_the_whole_frames_present(uint declaredSize)
    {
        var data = WavBytes.Encode(TestEncoding.Pcm16, [0.5, 0.25, -0.5, 0.125, 0.75]);
        var bytes = new WavBytes().Fmt(TestEncoding.Pcm16, 2, 16000).ChunkWithDeclaredSize("data", declaredSize, data).Build();

        var clip = WavReader.Parse(bytes, Name);

        // Two whole stereo frames; the lone fifth sample is half a frame and is dropped.
        AssertSamples([0.375, -0.1875], clip.Samples);
    }

    [Fact]
    public void Empty_data_chunk_followed_by_another_chunk_is_an_empty_clip()
    {
        var bytes = new WavBytes().Fmt(TestEncoding.Pcm16, 1, 16000).Data([]).Chunk("LIST", new byte[12]).Build();

        var clip = WavReader.Parse(bytes, Name);

        Assert.Empty(clip.Samples);
        Assert.Equal(16000, clip.SampleRate);
    }

    [Fact]
    public void Rf64_with_placeholder_sizes_reads_the_audio_present()
    {
        var bytes = new WavBytes().Riff("RF64").Chunk("ds64", new byte[28]).Fmt(TestEncoding.Pcm16, 1, 16000)
            .ChunkWithDeclaredSize("data", 0xFFFFFFFF, WavBytes.Encode(TestEncoding.Pcm16, Ramp)).Build();

        Assert.Equal(Ramp.Length, WavReader.Parse(bytes, Name).Samples.Length);
    }

    [Fact]
    public void Read_pipeline_resamples_to_16_kHz_and_read_keeps_the_file_rate()
    {
        string dir = TestPaths.NewTempDir("wav-read");
        string path = Path.Combine(dir, "tone.wav");
        var tone = Enumerable.Range(0, 44100).Select(i => 0.5 * Math.Sin(2 * Math.PI * 440 * i / 44100)).ToArray();
        File.WriteAllBytes(path, WavBytes.Valid(TestEncoding.Pcm24, 2, 44100, tone.SelectMany(v => new[] { v, v }).ToArray()).Build());

        var native = WavReader.Read(path);
        var pipeline = WavReader.ReadPipeline(path);

        Assert.Equal(44100, native.SampleRate);
        Assert.Equal(44100, native.Samples.Length);
        Assert.Equal(AudioClip.PipelineRate, pipeline.SampleRate);
        Assert.Equal(16000, pipeline.Samples.Length);
        Assert.Equal(1.0, pipeline.DurationSeconds, 6);
    }

    [Fact]
    public void Missing_file_is_a_wav_format_error_naming_it()
    {
        string path = Path.Combine(TestPaths.NewTempDir("wav-missing"), "absent.wav");

        var error = Assert.Throws<WavFormatException>(() => WavReader.Read(path));

        Assert.Equal($"{path}: file not found", error.Message);
    }

    public static TheoryData<string, byte[], string> Malformed()
    {
        var pcm = WavBytes.Encode(TestEncoding.Pcm16, Ramp);
        var fmtThenData = new WavBytes().Fmt(TestEncoding.Pcm16, 1, 16000).Data(pcm);
        byte[] valid = fmtThenData.Build();
        byte[] WithUInt32(int offset, uint value)
        {
            var copy = (byte[])valid.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value);
            return copy;
        }
        return new()
        {
            { "empty", [], "file is empty" },
            { "three bytes", [0x52, 0x49, 0x46], "file is 3 bytes, too short to be a WAV file" },
            { "header only", valid[..11], "too short to be a WAV file" },
            { "big-endian RIFX", Encoding.ASCII.GetBytes("RIFX").Concat(valid[4..]).ToArray(), "big-endian RIFX" },
            { "text file", Encoding.UTF8.GetBytes("hello, this is not audio at all\n"), "not a WAV file (no RIFF header)" },
            { "MP3 with ID3 tag", Encoding.ASCII.GetBytes("ID3\x04\0\0\0\0\0\0").Concat(new byte[100]).ToArray(), "this is an MP3 file, not WAV" },
            { "MP3 frame sync", [0xFF, 0xFB, 0x90, 0x64, .. new byte[400]], "this is an MP3 file, not WAV" },
            { "not WAVE", new WavBytes().Riff("RIFF", "AVI ").Build(), "RIFF file of type 'AVI ', not WAVE" },
            { "no chunks", new WavBytes().Build(), "no fmt chunk" },
            { "fmt missing", new WavBytes().Data(pcm).Build(), "no fmt chunk before the end of the audio data" },
            { "data missing", new WavBytes().Fmt(TestEncoding.Pcm16, 1, 16000).Chunk("LIST", new byte[4]).Build(), "no data chunk" },
            { "fmt truncated by end of file", valid[..30], "no fmt chunk (truncated: chunk 'fmt ' at byte 12 declares 16 bytes but only 10 remain)" },
            { "fmt chunk too small", new WavBytes().Chunk("fmt ", new byte[14]).Data(pcm).Build(), "fmt chunk is 14 bytes, at least 16 are needed" },
            { "huge chunk size hides fmt", new WavBytes().ChunkWithDeclaredSize("JUNK", 0xFFFFFFF0, new byte[4]).Fmt(TestEncoding.Pcm16, 1, 16000).Data(pcm).Build(),
                "no fmt chunk (truncated: chunk 'JUNK' at byte 12 declares 4294967280 bytes but only 56 remain)" },
            { "zero channels", new WavBytes().FmtRaw(1, 0, 16000, 2, 16).Data(pcm).Build(), "fmt chunk declares 0 channels" },
            { "zero sample rate", WithUInt32(24, 0), "sample rate 0 Hz is outside 1..1000000 Hz" },
            { "absurd sample rate", WithUInt32(24, 0xFFFFFFFF), "sample rate 4294967295 Hz is outside" },
            { "zero bits", new WavBytes().FmtRaw(1, 1, 16000, 2, 0).Data(pcm).Build(), "0 bits per sample" },
            { "bits 12 in one byte", new WavBytes().FmtRaw(1, 1, 16000, 1, 12).Data(pcm).Build(), "block align 1 does not fit 1 channel(s) of 12-bit samples" },
            { "block align mismatch", new WavBytes().FmtRaw(1, 2, 16000, 3, 16).Data(pcm).Build(), "block align 3 does not fit 2 channel(s) of 16-bit samples" },
            { "block align zero", new WavBytes().FmtRaw(1, 1, 16000, 0, 16).Data(pcm).Build(), "block align 0 does not fit" },
            { "64-bit integer PCM", new WavBytes().FmtRaw(1, 1, 16000, 8, 64).Data(pcm).Build(), "unsupported sample format: 64-bit PCM in 8-byte containers" },
            { "16-bit float", new WavBytes().FmtRaw(3, 1, 16000, 2, 16).Data(pcm).Build(), "unsupported sample format: 16-bit float" },
            { "mu-law", new WavBytes().FmtRaw(7, 1, 8000, 1, 8).Data(pcm).Build(), "unsupported encoding mu-law (format tag 0x0007)" },
            { "unknown format tag", new WavBytes().FmtRaw(0x1234, 1, 8000, 2, 16).Data(pcm).Build(), "unsupported encoding format tag 0x1234" },
            { "extensible fmt too short", new WavBytes().FmtRaw(0xFFFE, 1, 16000, 2, 16).Data(pcm).Build(), "WAVE_FORMAT_EXTENSIBLE fmt chunk is 16 bytes, 40 are needed" },
            { "extensible unknown sub-format", WithGuidTail(new WavBytes().FmtExtensible(TestEncoding.Pcm16, 1, 16000).Data(pcm).Build()),
                "unsupported WAVE_FORMAT_EXTENSIBLE sub-format" },
            { "extensible ADPCM", new WavBytes().FmtExtensible(TestEncoding.Pcm16, 1, 16000, subFormatTag: 2).Data(pcm).Build(), "Microsoft ADPCM" },
            { "NaN float sample", new WavBytes().Fmt(TestEncoding.Float32, 1, 16000).Data(WavBytes.Encode(TestEncoding.Float32, [0.1, double.NaN])).Build(),
                "sample frame 1 is NaN or infinite" },
            { "infinite double sample", new WavBytes().Fmt(TestEncoding.Float64, 1, 16000).Data(WavBytes.Encode(TestEncoding.Float64, [double.PositiveInfinity])).Build(),
                "sample frame 0 is NaN or infinite" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_input_is_a_one_line_error_naming_the_file_and_the_problem(string @case, byte[] bytes, string problem)
    {
        var error = Assert.Throws<WavFormatException>(() => WavReader.Parse(bytes, Name));

        Assert.True(error.Message.StartsWith($"{Name}: ", StringComparison.Ordinal), $"{@case}: {error.Message}");
        Assert.Contains(problem, error.Problem);
        Assert.DoesNotContain('\n', error.Message);
    }

    private static byte[] WithGuidTail(byte[] extensibleWav)
    {
        // The GUID sits at fmt body offset 24; the fmt body starts at byte 20. Corrupt its last byte.
        extensibleWav[20 + 24 + 15] ^= 0xFF;
        return extensibleWav;
    }

    internal static void AssertSamples(IEnumerable<double> expected, float[] actual)
    {
        var want = expected.ToArray();
        Assert.Equal(want.Length, actual.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - actual[i]) <= 1e-6, $"sample {i}: expected {want[i]}, got {actual[i]}");
    }
}
