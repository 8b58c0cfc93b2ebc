using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hark.Features;

/// <summary>
/// N-point real FFT done as an N/2-point complex radix-2 decimation-in-time FFT of z[n] = x[2n] + i x[2n+1]
/// followed by the standard split into X[0..N/2]. The arithmetic of every output is fixed (see
/// <see cref="PowerSpectrum"/>); the vector paths compute several butterflies side by side with exactly the
/// scalar operations per lane (multiply, then add/subtract, never fused), so they give the same bits.
/// </summary>
internal sealed class RealFft
{
    private readonly int _n, _m;
    private readonly int[] _bitReverse;
    private readonly float[] _splitCos, _splitSin;
    // Stage twiddles laid out contiguously: the stage with half-size h uses [h - 1, 2h - 1), entry j being
    // FftCos/FftSin[j * N / (2h)] (the same floats, gathered so vector loads are contiguous).
    private readonly float[] _stageCos, _stageSin;

    public RealFft(FrontEndTables tables)
    {
        _n = tables.FftCos.Length * 2;
        _m = _n / 2;
        _bitReverse = tables.BitReverse.ToArray();
        _splitCos = tables.FftCos.ToArray();
        _splitSin = tables.FftSin.ToArray();
        _stageCos = new float[Math.Max(_m - 1, 1)];
        _stageSin = new float[Math.Max(_m - 1, 1)];
        for (int half = 1; half < _m; half <<= 1)
            for (int j = 0; j < half; j++)
            {
                _stageCos[half - 1 + j] = tables.FftCos[j * (_n / (2 * half))];
                _stageSin[half - 1 + j] = tables.FftSin[j * (_n / (2 * half))];
            }
    }

    /// <summary>Floats of scratch <see cref="PowerSpectrum"/> needs: real and imaginary parts of N/2 points.</summary>
    public int ScratchLength => _n;

    /// <summary>
    /// |X[k]|^2, or |X[k]| when <paramref name="magnitude"/>, for k = 0..N/2, of the N real samples in
    /// <paramref name="x"/>. Order of operations, all float32:
    /// <list type="number">
    /// <item>re[i] = x[2 r], im[i] = x[2 r + 1] with r = BitReverse[i];</item>
    /// <item>for size = 2, 4, .., N/2, for each block, for j &lt; size/2, with c, s = FftCos/FftSin[j N / size],
    ///   a = element block + j, b = a + size/2: tr = c*br + s*bi; ti = c*bi - s*br; br = ar - tr; bi = ai - ti;
    ///   ar = ar + tr; ai = ai + ti;</item>
    /// <item>X[0] = re[0] + im[0], X[M] = re[0] - im[0]; for 0 &lt; k &lt; M (M = N/2) with Z = re + i im:
    ///   er = (Zr[k] + Zr[M-k]) * 0.5; ei = (Zi[k] - Zi[M-k]) * 0.5; or = (Zi[k] + Zi[M-k]) * 0.5;
    ///   oi = (Zr[M-k] - Zr[k]) * 0.5; Xr = er + (c*or + s*oi); Xi = ei + (c*oi - s*or) with c, s = FftCos/FftSin[k];</item>
    /// <item>P = Xr*Xr + Xi*Xi; magnitude is sqrt(P).</item>
    /// </list>
    /// </summary>
    public void PowerSpectrum(ReadOnlySpan<float> x, Span<float> scratch, Span<float> spectrum, bool magnitude)
    {
        Span<float> re = scratch[.._m], im = scratch.Slice(_m, _m);
        int firstHalf = 1;
        if (_m >= 4)
        {
            GatherWithFirstTwoStages(x, re, im);
            firstHalf = 4;
        }
        else
        {
            for (int i = 0; i < _m; i++)
            {
                re[i] = x[2 * _bitReverse[i]];
                im[i] = x[2 * _bitReverse[i] + 1];
            }
        }
        for (int half = firstHalf; half < _m; half <<= 1) Stage(re, im, half);
        Split(re, im, spectrum, magnitude);
    }

    /// <summary>
    /// The bit-reversal gather and the stages of size 2 and 4, done four points at a time in registers. Every
    /// butterfly is the generic one with the generic twiddles (even the trivial 1 + 0i), so the bits are those of
    /// the plain loops; only the memory traffic is saved.
    /// </summary>
    private void GatherWithFirstTwoStages(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref int reverse = ref _bitReverse[0];
        float c1 = _stageCos[0], s1 = _stageSin[0];                       // size 2, j = 0
        float c20 = _stageCos[1], s20 = _stageSin[1];                     // size 4, j = 0
        float c21 = _stageCos[2], s21 = _stageSin[2];                     // size 4, j = 1
        for (int i = 0; i < _m; i += 4)
        {
            int r0 = 2 * Unsafe.Add(ref reverse, i), r1 = 2 * Unsafe.Add(ref reverse, i + 1);
            int r2 = 2 * Unsafe.Add(ref reverse, i + 2), r3 = 2 * Unsafe.Add(ref reverse, i + 3);
            float a0r = Unsafe.Add(ref xRef, r0), a0i = Unsafe.Add(ref xRef, r0 + 1);
            float a1r = Unsafe.Add(ref xRef, r1), a1i = Unsafe.Add(ref xRef, r1 + 1);
            float a2r = Unsafe.Add(ref xRef, r2), a2i = Unsafe.Add(ref xRef, r2 + 1);
            float a3r = Unsafe.Add(ref xRef, r3), a3i = Unsafe.Add(ref xRef, r3 + 1);
            Butterfly(c1, s1, ref a0r, ref a0i, ref a1r, ref a1i);
            Butterfly(c1, s1, ref a2r, ref a2i, ref a3r, ref a3i);
            Butterfly(c20, s20, ref a0r, ref a0i, ref a2r, ref a2i);
            Butterfly(c21, s21, ref a1r, ref a1i, ref a3r, ref a3i);
            re[i] = a0r; im[i] = a0i;
            re[i + 1] = a1r; im[i + 1] = a1i;
            re[i + 2] = a2r; im[i + 2] = a2i;
            re[i + 3] = a3r; im[i + 3] = a3i;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(float c, float s, ref float ar, ref float ai, ref float br, ref float bi)
    {
        float tr = c * br + s * bi;
        float ti = c * bi - s * br;
        br = ar - tr;
        bi = ai - ti;
        ar = ar + tr;
        ai = ai + ti;
    }

    private void Stage(Span<float> re, Span<float> im, int half)
    {
        ref float reRef = ref MemoryMarshal.GetReference(re);
        ref float imRef = ref MemoryMarshal.GetReference(im);
        ref float cosRef = ref _stageCos[half - 1];
        ref float sinRef = ref _stageSin[half - 1];
        for (int block = 0; block < _m; block += 2 * half)
        {
            ref float ar = ref Unsafe.Add(ref reRef, block);
            ref float ai = ref Unsafe.Add(ref imRef, block);
            ref float br = ref Unsafe.Add(ref ar, half);
            ref float bi = ref Unsafe.Add(ref ai, half);
            int j = 0;
            if (Kernels.Use256)
                for (; j + 8 <= half; j += 8)
                    Butterfly(ref cosRef, ref sinRef, ref ar, ref ai, ref br, ref bi, (nuint)j, Vector256<float>.Zero);
            if (Kernels.Use128)
                for (; j + 4 <= half; j += 4)
                    Butterfly(ref cosRef, ref sinRef, ref ar, ref ai, ref br, ref bi, (nuint)j, Vector128<float>.Zero);
            for (; j < half; j++)
                Butterfly(Unsafe.Add(ref cosRef, j), Unsafe.Add(ref sinRef, j), ref Unsafe.Add(ref ar, j),
                          ref Unsafe.Add(ref ai, j), ref Unsafe.Add(ref br, j), ref Unsafe.Add(ref bi, j));
        }
    }

    // The unused last argument only picks the vector width.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref float cos, ref float sin, ref float ar, ref float ai, ref float br, ref float bi,
                                  nuint j, Vector256<float> _)
    {
        var c = Vector256.LoadUnsafe(ref cos, j);
        var s = Vector256.LoadUnsafe(ref sin, j);
        var bre = Vector256.LoadUnsafe(ref br, j);
        var bim = Vector256.LoadUnsafe(ref bi, j);
        var are = Vector256.LoadUnsafe(ref ar, j);
        var aim = Vector256.LoadUnsafe(ref ai, j);
        var tr = c * bre + s * bim;
        var ti = c * bim - s * bre;
        (are - tr).StoreUnsafe(ref br, j);
        (aim - ti).StoreUnsafe(ref bi, j);
        (are + tr).StoreUnsafe(ref ar, j);
        (aim + ti).StoreUnsafe(ref ai, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref float cos, ref float sin, ref float ar, ref float ai, ref float br, ref float bi,
                                  nuint j, Vector128<float> _)
    {
        var c = Vector128.LoadUnsafe(ref cos, j);
        var s = Vector128.LoadUnsafe(ref sin, j);
        var bre = Vector128.LoadUnsafe(ref br, j);
        var bim = Vector128.LoadUnsafe(ref bi, j);
        var are = Vector128.LoadUnsafe(ref ar, j);
        var aim = Vector128.LoadUnsafe(ref ai, j);
        var tr = c * bre + s * bim;
        var ti = c * bim - s * bre;
        (are - tr).StoreUnsafe(ref br, j);
        (aim - ti).StoreUnsafe(ref bi, j);
        (are + tr).StoreUnsafe(ref ar, j);
        (aim + ti).StoreUnsafe(ref ai, j);
    }

    private void Split(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> spectrum, bool magnitude)
    {
        int m = _m;
        float dc = re[0] + im[0], nyquist = re[0] - im[0];
        spectrum[0] = Finish(dc * dc, magnitude);
        spectrum[m] = Finish(nyquist * nyquist, magnitude);
        int k = 1;
        if (Kernels.Use256) k = SplitVector(re, im, spectrum, magnitude);
        ReadOnlySpan<float> cos = _splitCos, sin = _splitSin;
        for (; k < m; k++)
        {
            float zr = re[k], zi = im[k], yr = re[m - k], yi = im[m - k];
            float evenR = (zr + yr) * 0.5f, evenI = (zi - yi) * 0.5f;
            float oddR = (zi + yi) * 0.5f, oddI = (yr - zr) * 0.5f;
            float c = cos[k], s = sin[k];
            float xr = evenR + (c * oddR + s * oddI);
            float xi = evenI + (c * oddI - s * oddR);
            spectrum[k] = Finish(xr * xr + xi * xi, magnitude);
        }
    }

    /// <summary>The split loop eight bins at a time: the mirrored bins M-k are loaded as a block and reversed.</summary>
    /// <returns>The first bin left for the scalar loop.</returns>
    private int SplitVector(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> spectrum, bool magnitude)
    {
        int m = _m, k = 1;
        ref float reRef = ref MemoryMarshal.GetReference(re);
        ref float imRef = ref MemoryMarshal.GetReference(im);
        ref float cosRef = ref _splitCos[0];
        ref float sinRef = ref _splitSin[0];
        ref float outRef = ref MemoryMarshal.GetReference(spectrum);
        var reverse = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
        var half = Vector256.Create(0.5f);
        for (; k + 8 <= m; k += 8)
        {
            var zr = Vector256.LoadUnsafe(ref reRef, (nuint)k);
            var zi = Vector256.LoadUnsafe(ref imRef, (nuint)k);
            var yr = Vector256.Shuffle(Vector256.LoadUnsafe(ref reRef, (nuint)(m - k - 7)), reverse);
            var yi = Vector256.Shuffle(Vector256.LoadUnsafe(ref imRef, (nuint)(m - k - 7)), reverse);
            var evenR = (zr + yr) * half;
            var evenI = (zi - yi) * half;
            var oddR = (zi + yi) * half;
            var oddI = (yr - zr) * half;
            var c = Vector256.LoadUnsafe(ref cosRef, (nuint)k);
            var s = Vector256.LoadUnsafe(ref sinRef, (nuint)k);
            var xr = evenR + (c * oddR + s * oddI);
            var xi = evenI + (c * oddI - s * oddR);
            var power = xr * xr + xi * xi;
            (magnitude ? Vector256.Sqrt(power) : power).StoreUnsafe(ref outRef, (nuint)k);
        }
        return k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(float power, bool magnitude) => magnitude ? MathF.Sqrt(power) : power;
}
