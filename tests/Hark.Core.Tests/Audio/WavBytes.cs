using System.Buffers.Binary;
using System.Text;

namespace Hark.Tests.Audio;

/// <summary>Sample encodings the tests write, named by what the bytes hold.</summary>
public enum TestEncoding { UnsignedPcm8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

/// <summary>
/// Builds WAV files byte by byte, independently of the code under test, so headers can be made exactly as broken
/// as a case needs.
/// </summary>
public sealed class WavBytes
{
    private readonly List<byte[]> _chunks = [];
    private string _riffId = "RIFF";
    private string _formType = "WAVE";

    public static int BytesPerSample(TestEncoding encoding) => encoding switch
    {
        TestEncoding.UnsignedPcm8 => 1,
        TestEncoding.Pcm16 => 2,
        TestEncoding.Pcm24 => 3,
        TestEncoding.Pcm32 or TestEncoding.Float32 => 4,
        _ => 8,
    };

    public static bool IsFloat(TestEncoding encoding) => encoding is TestEncoding.Float32 or TestEncoding.Float64;

    /// <summary>A complete, valid file: fmt then data.</summary>
    public static WavBytes Valid(TestEncoding encoding, int channels, int sampleRate, double[] interleaved) =>
        new WavBytes().Fmt(encoding, channels, sampleRate).Data(Encode(encoding, interleaved));

    public WavBytes Riff(string riffId, string formType = "WAVE")
    {
        _riffId = riffId;
        _formType = formType;
        return this;
    }

    /// <summary>A plain 16-byte WAVEFORMATEX with consistent block align and byte rate.</summary>
    public WavBytes Fmt(TestEncoding encoding, int channels, int sampleRate) =>
        FmtRaw(IsFloat(encoding) ? (ushort)3 : (ushort)1, (ushort)channels, (uint)sampleRate,
            (ushort)(channels * BytesPerSample(encoding)), (ushort)(8 * BytesPerSample(encoding)));

    public WavBytes FmtRaw(ushort formatTag, ushort channels, uint sampleRate, ushort blockAlign, ushort bitsPerSample) =>
        Chunk("fmt ", FmtBody(formatTag, channels, sampleRate, blockAlign, bitsPerSample));

    /// <summary>A 40-byte WAVE_FORMAT_EXTENSIBLE fmt whose sub-format GUID starts with <paramref name="subFormatTag"/>.</summary>
    public WavBytes FmtExtensible(TestEncoding encoding, int channels, int sampleRate, ushort? subFormatTag = null, int? validBits = null)
    {
        int bytesPerSample = BytesPerSample(encoding);
        var body = new byte[40];
        FmtBody(0xFFFE, (ushort)channels, (uint)sampleRate, (ushort)(channels * bytesPerSample), (ushort)(8 * bytesPerSample)).CopyTo(body, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(18), (ushort)(validBits ?? 8 * bytesPerSample));
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(20), channels == 2 ? 3u : 4u);
        // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00AA00389B71}
        new Guid($"0000{subFormatTag ?? (IsFloat(encoding) ? 3 : 1):X4}-0000-0010-8000-00aa00389b71").TryWriteBytes(body.AsSpan(24));
        return Chunk("fmt ", body);
    }

    public WavBytes Data(byte[] body) => Chunk("data", body);

    /// <summary>A chunk whose size field is the body length, followed by the RIFF pad byte when the length is odd.</summary>
    public WavBytes Chunk(string id, byte[] body, bool pad = true) =>
        ChunkWithDeclaredSize(id, (uint)body.Length, body, pad && body.Length % 2 == 1);

    /// <summary>A chunk whose size field says anything at all, for lying headers.</summary>
    public WavBytes ChunkWithDeclaredSize(string id, uint declaredSize, byte[] body, bool padByte = false)
    {
        var chunk = new byte[8 + body.Length + (padByte ? 1 : 0)];
        Encoding.ASCII.GetBytes(id).CopyTo(chunk, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), declaredSize);
        body.CopyTo(chunk, 8);
        _chunks.Add(chunk);
        return this;
    }

    public byte[] Build()
    {
        int length = 12 + _chunks.Sum(c => c.Length);
        var bytes = new byte[length];
        Encoding.ASCII.GetBytes(_riffId).CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(length - 8));
        Encoding.ASCII.GetBytes(_formType).CopyTo(bytes, 8);
        int position = 12;
        foreach (var chunk in _chunks)
        {
            chunk.CopyTo(bytes, position);
            position += chunk.Length;
        }
        return bytes;
    }

    /// <summary>Interleaved samples in [-1, 1] encoded as the file would store them.</summary>
    public static byte[] Encode(TestEncoding encoding, double[] interleaved)
    {
        int size = BytesPerSample(encoding);
        var bytes = new byte[interleaved.Length * size];
        for (int i = 0; i < interleaved.Length; i++)
        {
            var target = bytes.AsSpan(i * size);
            double v = interleaved[i];
            switch (encoding)
            {
                case TestEncoding.UnsignedPcm8: target[0] = (byte)(Quantize(v, 8) + 128); break;
                case TestEncoding.Pcm16: BinaryPrimitives.WriteInt16LittleEndian(target, (short)Quantize(v, 16)); break;
                case TestEncoding.Pcm24:
                    long q = Quantize(v, 24);
                    target[0] = (byte)q; target[1] = (byte)(q >> 8); target[2] = (byte)(q >> 16);
                    break;
                case TestEncoding.Pcm32: BinaryPrimitives.WriteInt32LittleEndian(target, (int)Quantize(v, 32)); break;
                case TestEncoding.Float32: BinaryPrimitives.WriteSingleLittleEndian(target, (float)v); break;
                case TestEncoding.Float64: BinaryPrimitives.WriteDoubleLittleEndian(target, v); break;
            }
        }
        return bytes;
    }

    /// <summary>The value a reader should return for <paramref name="v"/> after encoding: the quantisation is the only loss.</summary>
    public static double Decoded(TestEncoding encoding, double v) => encoding switch
    {
        TestEncoding.UnsignedPcm8 => Quantize(v, 8) / 128.0,
        TestEncoding.Pcm16 => Quantize(v, 16) / 32768.0,
        TestEncoding.Pcm24 => Quantize(v, 24) / 8388608.0,
        TestEncoding.Pcm32 => Quantize(v, 32) / 2147483648.0,
        TestEncoding.Float32 => (float)v,
        _ => (float)v,
    };

    private static long Quantize(double v, int bits)
    {
        double full = Math.Pow(2, bits - 1);
        return (long)Math.Clamp(Math.Round(v * full), -full, full - 1);
    }

    private static byte[] FmtBody(ushort formatTag, ushort channels, uint sampleRate, ushort blockAlign, ushort bitsPerSample)
    {
        var body = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(body, formatTag);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(2), channels);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(4), sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(8), sampleRate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(12), blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(body.AsSpan(14), bitsPerSample);
        return body;
    }
}
