using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>
/// Reads RIFF/WAVE files. Any failure is a <see cref="WavFormatException"/> naming the file; no other exception
/// escapes for bad bytes.
/// TEMPORARY: only 16-bit PCM mono at 16 kHz so far; the full reader replaces this.
/// </summary>
public static class WavReader
{
    /// <summary>Reads a file, downmixes to mono and resamples to <see cref="AudioClip.PipelineRate"/>.</summary>
    public static AudioClip ReadPipeline(string path)
    {
        var clip = Read(path);
        return clip;
    }

    public static AudioClip Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WavFormatException(path, $"cannot read file ({e.Message})");
        }
        return Parse(bytes, path);
    }

    public static AudioClip Parse(ReadOnlySpan<byte> bytes, string sourceName)
    {
        if (bytes.Length < 44) throw new WavFormatException(sourceName, "too short to be a WAV file");
        int rate = BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]);
        var data = bytes[44..];
        var samples = new float[data.Length / 2];
        for (int i = 0; i < samples.Length; i++)
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]) / 32768f;
        return new AudioClip(samples, rate);
    }
}
