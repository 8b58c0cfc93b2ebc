using System.Buffers.Binary;

namespace Hark.Audio;

internal enum SampleEncoding { UnsignedPcm8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

/// <summary>The parts of a <c>fmt </c> chunk Hark needs, validated so decoding cannot go out of range.</summary>
internal readonly record struct WavFormat(SampleEncoding Encoding, int Channels, int SampleRate, int BlockAlign)
{
    private const ushort TagPcm = 0x0001;
    private const ushort TagFloat = 0x0003;
    private const ushort TagExtensible = 0xFFFE;

    // KSDATAFORMAT_SUBTYPE_PCM and _IEEE_FLOAT share these 14 bytes after the 2-byte format tag.
    private static ReadOnlySpan<byte> SubFormatGuidTail =>
        [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Parses a fmt chunk body, or returns the problem in words.</summary>
    public static WavFormat Parse(ReadOnlySpan<byte> fmt, string sourceName)
    {
        if (fmt.Length < 16)
            throw new WavFormatException(sourceName, $"fmt chunk is {fmt.Length} bytes, at least 16 are needed");

        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint rate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == TagExtensible) tag = ReadExtensibleSubFormat(fmt, sourceName);
        if (tag != TagPcm && tag != TagFloat)
            throw new WavFormatException(sourceName, $"unsupported encoding {DescribeTag(tag)}; only PCM and IEEE float WAV can be read");
        if (channels == 0) throw new WavFormatException(sourceName, "fmt chunk declares 0 channels");
        if (rate == 0 || rate > WavReader.MaxSampleRate)
            throw new WavFormatException(sourceName, $"sample rate {rate} Hz is outside 1..{WavReader.MaxSampleRate} Hz");
        if (bits == 0) throw new WavFormatException(sourceName, "fmt chunk declares 0 bits per sample");

        // The container size comes from the block align, as the WAVEFORMATEX spec defines it: bits per sample may
        // be fewer (20-bit audio in 3-byte containers, 12-bit in 2-byte ones), with the valid bits left-justified,
        // so reading the whole container gives the right value.
        int containerBytes = blockAlign / channels;
        if (blockAlign % channels != 0 || containerBytes * 8 < bits || containerBytes > (bits + 7) / 8 + 1)
            throw new WavFormatException(sourceName,
                $"block align {blockAlign} does not fit {channels} channel(s) of {bits}-bit samples");

        SampleEncoding? encoding = (tag, containerBytes) switch
        {
            (TagPcm, 1) => SampleEncoding.UnsignedPcm8,
            (TagPcm, 2) => SampleEncoding.Pcm16,
            (TagPcm, 3) => SampleEncoding.Pcm24,
            (TagPcm, 4) => SampleEncoding.Pcm32,
            (TagFloat, 4) when bits == 32 => SampleEncoding.Float32,
            (TagFloat, 8) when bits == 64 => SampleEncoding.Float64,
            _ => null,
        };
        if (encoding is null)
            throw new WavFormatException(sourceName,
                $"unsupported sample format: {bits}-bit {(tag == TagPcm ? "PCM" : "float")} in {containerBytes}-byte containers");
        return new WavFormat(encoding.Value, channels, (int)rate, blockAlign);
    }

    private static ushort ReadExtensibleSubFormat(ReadOnlySpan<byte> fmt, string sourceName)
    {
        // cbSize(2) validBits(2) channelMask(4) subFormat(16) follow the 16-byte base.
        if (fmt.Length < 40)
            throw new WavFormatException(sourceName, $"WAVE_FORMAT_EXTENSIBLE fmt chunk is {fmt.Length} bytes, 40 are needed");
        var guid = fmt.Slice(24, 16);
        if (!guid[2..].SequenceEqual(SubFormatGuidTail))
            throw new WavFormatException(sourceName, $"unsupported WAVE_FORMAT_EXTENSIBLE sub-format {new Guid(guid)}");
        return BinaryPrimitives.ReadUInt16LittleEndian(guid);
    }

    private static string DescribeTag(ushort tag) => tag switch
    {
        0x0002 => "Microsoft ADPCM (format tag 0x0002)",
        0x0006 => "A-law (format tag 0x0006)",
        0x0007 => "mu-law (format tag 0x0007)",
        0x0011 => "IMA ADPCM (format tag 0x0011)",
        0x0031 => "GSM 6.10 (format tag 0x0031)",
        0x0050 => "MPEG (format tag 0x0050)",
        0x0055 => "MP3 (format tag 0x0055)",
        _ => $"format tag 0x{tag:X4}",
    };
}
