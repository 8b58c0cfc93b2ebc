using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>Writes mono 16-bit PCM WAV, the format every Hark dataset is stored in.</summary>
public static class WavWriter
{
    private const int HeaderBytes = 44;
    private const int SamplesPerBlock = 4096;

    /// <summary>
    /// Writes to a temporary file beside <paramref name="path"/> and renames it into place, so a crash or a full
    /// disk never leaves a truncated WAV under the final name.
    /// </summary>
    public static void WritePcm16(string path, ReadOnlySpan<float> samples, int sampleRate)
    {
        CheckArguments(samples.Length, sampleRate);
        string temporary = $"{path}.{Guid.NewGuid():N}.partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                WritePcm16(stream, samples, sampleRate);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
    }

    public static void WritePcm16(Stream stream, ReadOnlySpan<float> samples, int sampleRate)
    {
        WritePcm16Header(stream, samples.Length, sampleRate);
        WritePcm16Samples(stream, samples);
    }

    /// <summary>
    /// The 44-byte header of a mono 16-bit PCM file of <paramref name="sampleCount"/> samples. Followed by
    /// <see cref="WritePcm16Samples"/> calls adding up to exactly that many samples, it lets a long recording be
    /// written in blocks without holding it in memory.
    /// </summary>
    public static void WritePcm16Header(Stream stream, int sampleCount, int sampleRate)
    {
        CheckArguments(sampleCount, sampleRate);
        int dataBytes = sampleCount * 2;
        Span<byte> header = stackalloc byte[HeaderBytes];
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], HeaderBytes - 8 + dataBytes);
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
    }

    /// <summary>Samples as 16-bit PCM (<see cref="ToPcm16"/>), after a <see cref="WritePcm16Header"/>.</summary>
    public static void WritePcm16Samples(Stream stream, ReadOnlySpan<float> samples)
    {
        // A fixed block keeps memory flat however long the clip (16-bit data never needs a pad byte).
        Span<byte> block = stackalloc byte[SamplesPerBlock * 2];
        for (int start = 0; start < samples.Length; start += SamplesPerBlock)
        {
            var chunk = samples.Slice(start, Math.Min(SamplesPerBlock, samples.Length - start));
            for (int i = 0; i < chunk.Length; i++)
                BinaryPrimitives.WriteInt16LittleEndian(block[(2 * i)..], ToPcm16(chunk[i]));
            stream.Write(block[..(2 * chunk.Length)]);
        }
    }

    /// <summary>Rounds to nearest and saturates, so clipping never wraps around; NaN becomes silence.</summary>
    public static short ToPcm16(float sample)
    {
        if (float.IsNaN(sample)) return 0;
        float scaled = MathF.Round(sample * 32768f);
        return (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
    }

    private static void CheckArguments(int sampleCount, int sampleRate)
    {
        // The byte rate field is 32-bit, and the RIFF size must fit too.
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, int.MaxValue / 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleCount, (int.MaxValue - HeaderBytes) / 2, "samples.Length");
    }
}
