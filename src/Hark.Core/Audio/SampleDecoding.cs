using System.Buffers.Binary;

namespace Hark.Audio;

/// <summary>
/// Turns interleaved sample bytes into mono floats. One generic loop serves every encoding: the decoders are
/// structs, so the JIT compiles a specialised, inlined loop per encoding instead of a call per sample.
/// </summary>
internal static class SampleDecoding
{
    /// <summary>Decodes whole frames of <paramref name="data"/> and averages channels into <paramref name="mono"/>.</summary>
    /// <returns>The index of the first non-finite float sample, or -1 when all are finite.</returns>
    public static int DecodeMono(ReadOnlySpan<byte> data, in WavFormat format, Span<float> mono) => format.Encoding switch
    {
        SampleEncoding.UnsignedPcm8 => DecodeMono<UnsignedPcm8>(data, format, mono),
        SampleEncoding.Pcm16 => DecodeMono<Pcm16>(data, format, mono),
        SampleEncoding.Pcm24 => DecodeMono<Pcm24>(data, format, mono),
        SampleEncoding.Pcm32 => DecodeMono<Pcm32>(data, format, mono),
        SampleEncoding.Float32 => DecodeMono<Float32>(data, format, mono),
        SampleEncoding.Float64 => DecodeMono<Float64>(data, format, mono),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static int DecodeMono<TDecoder>(ReadOnlySpan<byte> data, in WavFormat format, Span<float> mono)
        where TDecoder : struct, ISampleDecoder
    {
        int channels = format.Channels, blockAlign = format.BlockAlign;
        int containerBytes = blockAlign / channels;
        float channelScale = 1f / channels;
        bool allFinite = true;
        for (int frame = 0; frame < mono.Length; frame++)
        {
            var frameBytes = data.Slice(frame * blockAlign, blockAlign);
            float sum = 0f;
            for (int c = 0; c < channels; c++) sum += TDecoder.Decode(frameBytes[(c * containerBytes)..]);
            mono[frame] = channels == 1 ? sum : sum * channelScale;
            // Integer encodings are always finite; the JIT drops this check for them.
            if (TDecoder.CanBeNonFinite) allFinite &= float.IsFinite(sum);
        }
        return allFinite ? -1 : FirstNonFinite(mono);
    }

    private static int FirstNonFinite(ReadOnlySpan<float> samples)
    {
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i])) return i;
        return -1;
    }

    private interface ISampleDecoder
    {
        static abstract bool CanBeNonFinite { get; }

        /// <summary>Reads one sample from the start of <paramref name="bytes"/>, scaled to [-1, 1).</summary>
        static abstract float Decode(ReadOnlySpan<byte> bytes);
    }

    private readonly struct UnsignedPcm8 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ReadOnlySpan<byte> bytes) => (bytes[0] - 128) * (1f / 128);
    }

    private readonly struct Pcm16 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt16LittleEndian(bytes) * (1f / 32768);
    }

    private readonly struct Pcm24 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;

        // Assemble in the top 24 bits of an int so the arithmetic shift sign-extends.
        public static float Decode(ReadOnlySpan<byte> bytes)
        {
            int value = ((bytes[2] << 24) | (bytes[1] << 16) | (bytes[0] << 8)) >> 8;
            return value * (1f / 8388608);
        }
    }

    private readonly struct Pcm32 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes) * (1f / 2147483648);
    }

    private readonly struct Float32 : ISampleDecoder
    {
        public static bool CanBeNonFinite => true;
        public static float Decode(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadSingleLittleEndian(bytes);
    }

    private readonly struct Float64 : ISampleDecoder
    {
        public static bool CanBeNonFinite => true;
        public static float Decode(ReadOnlySpan<byte> bytes) => (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }
}
