using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>
/// Reads a 16-bit PCM mono WAV a block at a time, for recordings too long to hold in memory (an hour of benchmark
/// stream is 115 MB on disk, 230 MB as floats). The header is checked by the same parser as <see cref="WavReader"/>;
/// other encodings are refused rather than converted, since this is for files Hark wrote.
/// </summary>
public sealed class Pcm16WavStream : IDisposable
{
    private const int HeaderProbeBytes = 1 << 20;   // far more than any writer puts before the audio
    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[8192];
    private readonly string _path;

    private Pcm16WavStream(FileStream file, string path, int sampleRate, long samples)
    {
        _file = file;
        _path = path;
        SampleRate = sampleRate;
        Samples = samples;
    }

    public int SampleRate { get; }

    /// <summary>Samples in the data chunk (what the file holds of it, when the header claims more).</summary>
    public long Samples { get; }

    /// <summary>Samples not read yet.</summary>
    public long Remaining { get; private set; }

    /// <exception cref="WavFormatException">Missing, unreadable, not WAV, or not 16-bit PCM mono.</exception>
    public static Pcm16WavStream Open(string path)
    {
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new WavFormatException(path, "file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WavFormatException(path, $"cannot read file ({e.Message})");
        }
        try
        {
            var head = new byte[(int)Math.Min(file.Length, HeaderProbeBytes)];
            file.ReadExactly(head);
            var format = WavReader.ParseHeader(head, path, out int dataStart, out _);
            if (format.Encoding != SampleEncoding.Pcm16 || format.Channels != 1)
                throw new WavFormatException(path, $"is {format.Channels} channel(s) of {format.Encoding}; a 16-bit PCM mono file is needed");
            uint declared = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(dataStart - 4));
            long available = file.Length - dataStart;
            long bytes = declared == 0 || declared > available ? available : declared;
            file.Position = dataStart;
            return new Pcm16WavStream(file, path, format.SampleRate, bytes / 2) { Remaining = bytes / 2 };
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length samples; returns how many (0 at the end).</summary>
    public int Read(Span<short> destination)
    {
        int want = (int)Math.Min(Remaining, Math.Min(destination.Length, _buffer.Length / 2)), got = 0;
        while (got < want * 2)
        {
            int n = _file.Read(_buffer, got, want * 2 - got);
            if (n == 0) throw new WavFormatException(_path, "ended before its data chunk did (the file changed while being read)");
            got += n;
        }
        for (int i = 0; i < want; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(_buffer.AsSpan(2 * i));
        Remaining -= want;
        return want;
    }

    public void Dispose() => _file.Dispose();
}
