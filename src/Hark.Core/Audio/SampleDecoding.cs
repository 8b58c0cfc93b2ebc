using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        if ((long)mono.Length * blockAlign > data.Length)
            throw new ArgumentException("data holds fewer frames than requested", nameof(data));
        // Byte offsets instead of a slice per sample: the length check above covers every read, and this loop is
        // the whole cost of loading a clip.
        ref byte source = ref MemoryMarshal.GetReference(data);
        float channelScale = 1f / channels;
        bool allFinite = true;
        nint offset = 0;
        for (int frame = 0; frame < mono.Length; frame++)
        {
            float sum = 0f;
            for (int c = 0; c < channels; c++, offset += containerBytes) sum += TDecoder.Decode(ref Unsafe.Add(ref source, offset));
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

    // A span of constant length over the sample: the JIT then drops BinaryPrimitives' length check.
    private static ReadOnlySpan<byte> Bytes(ref byte source, int count) => MemoryMarshal.CreateReadOnlySpan(ref source, count);

    private interface ISampleDecoder
    {
        static abstract bool CanBeNonFinite { get; }

        /// <summary>Reads one little-endian sample at <paramref name="source"/>, scaled to [-1, 1).</summary>
        static abstract float Decode(ref byte source);
    }

    private readonly struct UnsignedPcm8 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ref byte source) => (source - 128) * (1f / 128);
    }

    private readonly struct Pcm16 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ref byte source) => BinaryPrimitives.ReadInt16LittleEndian(Bytes(ref source, 2)) * (1f / 32768);
    }

    private readonly struct Pcm24 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;

        // Assemble in the top 24 bits of an int so the arithmetic shift sign-extends.
        public static float Decode(ref byte source)
        {
            int value = ((Unsafe.Add(ref source, 2) << 24) | (Unsafe.Add(ref source, 1) << 16) | (source << 8)) >> 8;
            return value * (1f / 8388608);
        }
    }

    private readonly struct Pcm32 : ISampleDecoder
    {
        public static bool CanBeNonFinite => false;
        public static float Decode(ref byte source) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(ref source, 4)) * (1f / 2147483648);
    }

    private readonly struct Float32 : ISampleDecoder
    {
        public static bool CanBeNonFinite => true;
        public static float Decode(ref byte source) => BinaryPrimitives.ReadSingleLittleEndian(Bytes(ref source, 4));
    }

    private readonly struct Float64 : ISampleDecoder
    {
        public static bool CanBeNonFinite => true;
        public static float Decode(ref byte source) => (float)BinaryPrimitives.ReadDoubleLittleEndian(Bytes(ref source, 8));
    }
}
