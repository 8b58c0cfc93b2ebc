using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>Writes mono 16-bit PCM WAV, the format every Hark dataset is stored in.</summary>
public static class WavWriter
{
    public static void WritePcm16(string path, ReadOnlySpan<float> samples, int sampleRate)
    {
        using var stream = File.Create(path);
        WritePcm16(stream, samples, sampleRate);
    }

    public static void WritePcm16(Stream stream, ReadOnlySpan<float> samples, int sampleRate)
    {
        int dataBytes = samples.Length * 2;
        Span<byte> header = stackalloc byte[44];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(header[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(header[40..], dataBytes);
        stream.Write(header);
        var buffer = new byte[dataBytes];
        for (int i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(buffer.AsSpan(2 * i), ToPcm16(samples[i]));
        stream.Write(buffer);
    }

    /// <summary>Rounds to nearest and saturates, so clipping never wraps around.</summary>
    public static short ToPcm16(float sample)
    {
        float scaled = MathF.Round(sample * 32768f);
        return (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
    }
}
