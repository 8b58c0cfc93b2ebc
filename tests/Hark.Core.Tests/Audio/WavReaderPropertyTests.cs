using System.Buffers.Binary;
using CsCheck;
using Hark.Audio;

namespace Hark.Tests.Audio;

/// <summary>Whatever the bytes, the reader returns a clip or throws <see cref="WavFormatException"/>, nothing else.</summary>
public class WavReaderPropertyTests
{
    // Values that break naive size arithmetic: zero, sign boundaries, all ones.
    private static readonly uint[] HostileSizes = [0, 1, 2, 3, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    private static readonly byte[][] Seeds =
    [
        WavBytes.Valid(TestEncoding.Pcm16, 1, 16000, Signal(40)).Build(),
        WavBytes.Valid(TestEncoding.UnsignedPcm8, 3, 8000, Signal(33)).Build(),
        new WavBytes().Chunk("LIST", new byte[7]).FmtExtensible(TestEncoding.Pcm24, 2, 44100)
            .Data(WavBytes.Encode(TestEncoding.Pcm24, Signal(20))).Chunk("cue ", new byte[5]).Build(),
        new WavBytes().Data(WavBytes.Encode(TestEncoding.Float32, Signal(10))).Fmt(TestEncoding.Float32, 2, 22050).Build(),
        WavBytes.Valid(TestEncoding.Float64, 1, 11025, Signal(9)).Build(),
        WavBytes.Valid(TestEncoding.Pcm32, 2, 48000, Signal(12)).Build(),
    ];

    private static readonly Gen<byte[]> MutatedWav =
        Gen.Int[0, Seeds.Length - 1].SelectMany(seed => Gen.Int[1, 4].SelectMany(count => Mutation.Array[count].Select(mutations =>
        {
            var bytes = Seeds[seed];
            foreach (var mutate in mutations) bytes = mutate(bytes);
            return bytes;
        })));

    private static Gen<Func<byte[], byte[]>> Mutation => Gen.Frequency(
        (3, Gen.Int[0, 1000].Select<int, Func<byte[], byte[]>>(at => b => FlipBit(b, at))),
        (3, Gen.Select(Gen.Int[0, 1000], Gen.Int[0, HostileSizes.Length - 1]).Select<(int, int), Func<byte[], byte[]>>(
            t => b => OverwriteUInt32(b, t.Item1, HostileSizes[t.Item2]))),
        (1, Gen.Select(Gen.Int[0, 1000], Gen.Byte.Array[1, 9]).Select<(int, byte[]), Func<byte[], byte[]>>(
            t => b => Insert(b, t.Item1, t.Item2))),
        (1, Gen.Select(Gen.Int[0, 1000], Gen.Int[1, 16]).Select<(int, int), Func<byte[], byte[]>>(
            t => b => Delete(b, t.Item1, t.Item2))),
        (1, Gen.Int[0, 1000].Select<int, Func<byte[], byte[]>>(at => b => b[..(at % (b.Length + 1))])));

    [Fact]
    public void Random_bytes_never_escape_as_another_exception() =>
        Gen.Byte.Array[0, 256].Sample(bytes => ParseOrFormatError(bytes, WavReader.Parse), iter: 20_000);

    [Fact]
    public void Random_bytes_behind_a_riff_wave_header_never_escape_as_another_exception() =>
        Gen.Byte.Array[0, 256].Select(body => (byte[])[.. "RIFF\0\0\0\0WAVE"u8, .. body])
            .Sample(bytes => ParseOrFormatError(bytes, WavReader.Parse), iter: 20_000);

    [Fact]
    public void Mutated_valid_files_never_escape_as_another_exception() =>
        MutatedWav.Sample(bytes => ParseOrFormatError(bytes, WavReader.Parse), iter: 20_000);

    [Fact]
    public void Mutated_valid_files_through_the_resampling_pipeline_never_escape_as_another_exception() =>
        MutatedWav.Sample(bytes => ParseOrFormatError(bytes, WavReader.ParsePipeline), iter: 1_000);

    private delegate AudioClip Parser(ReadOnlySpan<byte> bytes, string sourceName);

    private static void ParseOrFormatError(byte[] bytes, Parser parse)
    {
        try
        {
            var clip = parse(bytes, "fuzz.wav");
            Assert.InRange(clip.SampleRate, 1, 1_000_000);
            foreach (float sample in clip.Samples) Assert.True(float.IsFinite(sample));
        }
        catch (WavFormatException e)
        {
            Assert.StartsWith("fuzz.wav: ", e.Message);
        }
    }

    private static double[] Signal(int length) => Enumerable.Range(0, length).Select(i => Math.Sin(i * 0.7) * 0.9).ToArray();

    private static byte[] FlipBit(byte[] bytes, int at)
    {
        if (bytes.Length == 0) return bytes;
        var copy = (byte[])bytes.Clone();
        copy[at % copy.Length] ^= (byte)(1 << (at % 8));
        return copy;
    }

    private static byte[] OverwriteUInt32(byte[] bytes, int at, uint value)
    {
        if (bytes.Length < 4) return bytes;
        var copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at % (copy.Length - 3)), value);
        return copy;
    }

    private static byte[] Insert(byte[] bytes, int at, byte[] inserted)
    {
        int position = at % (bytes.Length + 1);
        return [.. bytes[..position], .. inserted, .. bytes[position..]];
    }

    private static byte[] Delete(byte[] bytes, int at, int count)
    {
        if (bytes.Length == 0) return bytes;
        int position = at % bytes.Length;
        return [.. bytes[..position], .. bytes[Math.Min(bytes.Length, position + count)..]];
    }
}
