using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hark.Features;

/// <summary>
/// Element-wise loops of the front end. Each lane does exactly the scalar operation on the same operands, so the
/// vector paths (256 bit, then 128 bit, then a scalar tail) give the scalar path's bits; KernelsTests compares
/// whole feature sets computed both ways.
/// </summary>
internal static class Kernels
{
    /// <summary>Tests switch this off to compare the vector paths with the scalar ones in one process.</summary>
    internal static bool VectorsEnabled { get; set; } = true;

    internal static bool Use256 => Vector256.IsHardwareAccelerated && VectorsEnabled;
    internal static bool Use128 => Vector128.IsHardwareAccelerated && VectorsEnabled;

    /// <summary>dst[i] = <see cref="FrontEnd.Quantize"/>(src[i]).</summary>
    public static void Quantize(ReadOnlySpan<float> src, Span<short> dst)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        ref float s = ref MemoryMarshal.GetReference(src);
        ref short d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Kernels.Use256)
        {
            var scale = Vector256.Create(32768f);
            var max = Vector256.Create(32767f);
            var min = Vector256.Create(-32768f);
            for (; i + 16 <= src.Length; i += 16)
            {
                var low = QuantizeToInt(Vector256.LoadUnsafe(ref s, (nuint)i), scale, min, max);
                var high = QuantizeToInt(Vector256.LoadUnsafe(ref s, (nuint)i + 8), scale, min, max);
                Vector256.Narrow(low, high).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++) Unsafe.Add(ref d, i) = FrontEnd.Quantize(Unsafe.Add(ref s, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> QuantizeToInt(Vector256<float> x, Vector256<float> scale, Vector256<float> min,
                                                Vector256<float> max)
    {
        x = Vector256.ConditionalSelect(Vector256.Equals(x, x), x, Vector256<float>.Zero);   // NaN -> 0
        var rounded = Vector256.Round(x * scale);                                             // half to even
        return Vector256.ConvertToInt32(Vector256.Min(Vector256.Max(rounded, min), max));
    }

    /// <summary>dst[i] = src[i] * scale, int16 to float (exact for the 2^-15 scale).</summary>
    public static void ToFloat(ReadOnlySpan<short> src, Span<float> dst, float scale)
    {
        if (dst.Length < src.Length) throw new ArgumentException("destination too short", nameof(dst));
        ref short s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        int i = 0;
        if (Kernels.Use256)
        {
            var factor = Vector256.Create(scale);
            for (; i + 16 <= src.Length; i += 16)
            {
                var (low, high) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                (Vector256.ConvertToSingle(low) * factor).StoreUnsafe(ref d, (nuint)i);
                (Vector256.ConvertToSingle(high) * factor).StoreUnsafe(ref d, (nuint)i + 8);
            }
        }
        for (; i < src.Length; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i) * scale;
    }

    /// <summary>x[i] = x[i] * w[i] for i &lt; w.Length.</summary>
    public static void MultiplyInPlace(Span<float> x, ReadOnlySpan<float> w)
    {
        if (x.Length < w.Length) throw new ArgumentException("buffer shorter than the window", nameof(x));
        ref float a = ref MemoryMarshal.GetReference(x);
        ref float b = ref MemoryMarshal.GetReference(w);
        int i = 0;
        if (Kernels.Use256)
            for (; i + 8 <= w.Length; i += 8)
                (Vector256.LoadUnsafe(ref a, (nuint)i) * Vector256.LoadUnsafe(ref b, (nuint)i)).StoreUnsafe(ref a, (nuint)i);
        for (; i < w.Length; i++) Unsafe.Add(ref a, i) = Unsafe.Add(ref a, i) * Unsafe.Add(ref b, i);
    }

    /// <summary>
    /// out[k] = sum over b of matrix[b, k] * v[b] (matrix stored transposed, [b, k] row-major), each sum taken in
    /// increasing b from 0: acc = acc + m * v. Lanes run across k, so every output keeps its own sequential order.
    /// </summary>
    public static void TransposedMatrixVector(ReadOnlySpan<float> matrix, ReadOnlySpan<float> v, Span<float> output)
    {
        int columns = output.Length;
        if (matrix.Length != columns * v.Length) throw new ArgumentException("matrix shape mismatch", nameof(matrix));
        ref float m = ref MemoryMarshal.GetReference(matrix);
        int k = 0;
        if (Kernels.Use256)
            for (; k + 8 <= columns; k += 8)
            {
                var sum = Vector256<float>.Zero;
                for (int b = 0; b < v.Length; b++)
                    sum = sum + Vector256.LoadUnsafe(ref m, (nuint)(b * columns + k)) * Vector256.Create(v[b]);
                sum.CopyTo(output[k..]);
            }
        if (Kernels.Use128)
            for (; k + 4 <= columns; k += 4)
            {
                var sum = Vector128<float>.Zero;
                for (int b = 0; b < v.Length; b++)
                    sum = sum + Vector128.LoadUnsafe(ref m, (nuint)(b * columns + k)) * Vector128.Create(v[b]);
                sum.CopyTo(output[k..]);
            }
        for (; k < columns; k++)
        {
            float sum = 0f;
            for (int b = 0; b < v.Length; b++) sum = sum + Unsafe.Add(ref m, b * columns + k) * v[b];
            output[k] = sum;
        }
    }
}
