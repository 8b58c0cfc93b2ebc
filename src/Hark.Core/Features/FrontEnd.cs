using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hark.Features;

/// <summary>
/// MFCC / log-mel features, computed so that a C port can reproduce them bit for bit.
/// <para>
/// Input is defined as int16 audio. Float input in [-1, 1] is first quantised exactly like a 16-bit WAV would be
/// (<see cref="Quantize"/>: round half to even of sample * 32768, saturated), so a microcontroller reading int16
/// samples and this class reading floats see the same numbers. Each int16 q becomes the float q * 2^-15 (exact).
/// </para>
/// <para>Per frame of W samples starting at s (x[-1] is the sample before s, 0 before the clip), all in float32,
/// no fused multiply-add, loops in increasing index order unless stated:</para>
/// <list type="number">
/// <item>pre-emphasis, only if a != 0, from the last sample down: x[n] = x[n] - a * x[n-1]; x[0] = x[0] - a * x[-1];</item>
/// <item>window: x[n] = x[n] * w[n]; x[W..N) = 0;</item>
/// <item>N-point real FFT as an N/2-point complex FFT of z[n] = x[2n] + i x[2n+1] (bit-reversal swaps, then radix-2
///   decimation-in-time stages of size 2, 4, .., N/2; butterfly t = (c*br + s*bi, c*bi - s*br), b = a - t, a = a + t,
///   twiddle index j * N / size), then the split X[k] = E + W^k O (see <see cref="PowerSpectrum"/>);</item>
/// <item>P[k] = Xr*Xr + Xi*Xi; magnitude spectrum is sqrt(P[k]) (IEEE sqrt is exactly rounded in C and .NET);</item>
/// <item>mel[b] = sum over the band's bins, acc = acc + weight * S[k] starting from 0;</item>
/// <item>L[b] = <see cref="HarkMath.Log"/>(mel[b] + floor);</item>
/// <item>MFCC only: c[k] = sum over b, acc = acc + D[k, b] * L[b] starting from 0.</item>
/// </list>
/// Instances are immutable and thread-safe; <see cref="ComputeClip(ReadOnlySpan{float}, Span{float})"/> rents its
/// scratch from the shared pool, so it allocates nothing after warm-up.
/// </summary>
public sealed class FrontEnd
{
    private readonly int _window, _stride, _fftSize, _bins, _melBands, _features;
    private readonly bool _magnitude;

    public FrontEnd(FrontEndConfig config)
    {
        Tables = new FrontEndTables(config);
        Config = config;
        _window = config.WindowSamples;
        _stride = config.StrideSamples;
        _fftSize = config.FftSize;
        _bins = config.FftSize / 2 + 1;
        _melBands = config.MelBands;
        _features = config.FeaturesPerFrame;
        _magnitude = config.Spectrum == SpectrumKind.Magnitude;
    }

    public FrontEndConfig Config { get; }

    /// <summary>The exact float constants used, for emitting to C.</summary>
    public FrontEndTables Tables { get; }

    /// <summary>Frames produced for a clip of <see cref="FrontEndConfig.ClipSamples"/> samples (49 by default).</summary>
    public int FramesPerClip => FrameCount(Config.ClipSamples);

    /// <summary>Features per frame (10 MFCC by default).</summary>
    public int FeaturesPerFrame => _features;

    /// <summary>FFT bins from DC to Nyquist, N/2 + 1.</summary>
    public int SpectrumBins => _bins;

    /// <summary>Floats of scratch one frame needs: the FFT buffer, the spectrum and the mel energies.</summary>
    internal int ScratchLength => _fftSize + _bins + _melBands;

    /// <summary>Whole frames that fit in <paramref name="sampleCount"/> samples.</summary>
    public int FrameCount(int sampleCount) => sampleCount < _window ? 0 : 1 + (sampleCount - _window) / _stride;

    /// <summary>A float sample in [-1, 1] as the int16 a 16-bit WAV would hold: round half to even, saturate, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Quantize(float sample)
    {
        float scaled = MathF.Round(sample * 32768f);
        return scaled >= 32767f ? short.MaxValue : scaled <= -32768f ? short.MinValue : (short)scaled;
    }

    /// <summary>
    /// Features of one clip, row-major [frame, feature]. <paramref name="audio"/> is 16 kHz mono in [-1, 1];
    /// shorter input is zero-padded at the end, longer input is cut to <see cref="FrontEndConfig.ClipSamples"/>.
    /// </summary>
    public void ComputeClip(ReadOnlySpan<float> audio, Span<float> features)
    {
        int used = Math.Min(audio.Length, Config.ClipSamples);
        short[] quantized = ArrayPool<short>.Shared.Rent(used);
        try
        {
            for (int i = 0; i < used; i++) quantized[i] = Quantize(audio[i]);
            ComputeClip(quantized.AsSpan(0, used), features);
        }
        finally { ArrayPool<short>.Shared.Return(quantized); }
    }

    /// <summary>The same as the float overload for int16 samples (what a microcontroller has).</summary>
    public void ComputeClip(ReadOnlySpan<short> audio, Span<float> features)
    {
        int frames = FramesPerClip;
        if (features.Length != frames * _features) ThrowWrongLength(nameof(features), frames * _features, features.Length);
        if (audio.Length > Config.ClipSamples) audio = audio[..Config.ClipSamples];
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength);
        try
        {
            for (int f = 0; f < frames; f++)
            {
                int start = f * _stride;
                Span<float> frame = scratch.AsSpan(0, _fftSize);
                LoadFrame(audio, start, frame);
                float previous = start > 0 && start - 1 < audio.Length ? audio[start - 1] * FrontEndTables.InputScale : 0f;
                ComputeFrame(scratch, previous, features.Slice(f * _features, _features));
            }
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    /// <summary>Convenience overload that allocates the [frame, feature] result.</summary>
    public float[] ComputeClip(ReadOnlySpan<float> audio)
    {
        var features = new float[FramesPerClip * _features];
        ComputeClip(audio, features);
        return features;
    }

    /// <summary>
    /// Power spectrum |X[k]|^2 of every whole frame of <paramref name="audio"/> (not cut to a clip), row-major
    /// [frame, bin] with <see cref="SpectrumBins"/> bins: the same framing, pre-emphasis, window and FFT as the
    /// features. For display and diagnostics.
    /// </summary>
    public void ComputeSpectrogram(ReadOnlySpan<float> audio, Span<float> power)
    {
        int frames = FrameCount(audio.Length);
        if (power.Length != frames * _bins) ThrowWrongLength(nameof(power), frames * _bins, power.Length);
        float[] scratch = ArrayPool<float>.Shared.Rent(_fftSize);
        short[] window = ArrayPool<short>.Shared.Rent(_window + 1);
        try
        {
            for (int f = 0; f < frames; f++)
            {
                int start = f * _stride;
                for (int i = 0; i < _window; i++) window[i] = Quantize(audio[start + i]);
                LoadFrame(window.AsSpan(0, _window), 0, scratch);
                float previous = start > 0 ? Quantize(audio[start - 1]) * FrontEndTables.InputScale : 0f;
                Span<float> frame = scratch.AsSpan(0, _fftSize);
                PreEmphasiseAndWindow(frame, previous);
                PowerSpectrum(frame, power.Slice(f * _bins, _bins), magnitude: false);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
            ArrayPool<short>.Shared.Return(window);
        }
    }

    /// <summary>Fills frame[0, W) with samples start.. of <paramref name="audio"/> scaled to float, zero past its end.</summary>
    internal void LoadFrame(ReadOnlySpan<short> audio, int start, Span<float> frame)
    {
        int available = Math.Clamp(audio.Length - start, 0, _window);
        if (available > 0)
        {
            var source = audio.Slice(start, available);
            for (int i = 0; i < source.Length; i++) frame[i] = source[i] * FrontEndTables.InputScale;
        }
        frame[available.._window].Clear();
    }

    /// <summary>
    /// Features of one frame. <paramref name="scratch"/> holds the W samples (scaled) at its start and has
    /// <see cref="ScratchLength"/> floats; it is overwritten.
    /// </summary>
    internal void ComputeFrame(Span<float> scratch, float previous, Span<float> output)
    {
        Span<float> frame = scratch[.._fftSize];
        Span<float> spectrum = scratch.Slice(_fftSize, _bins);
        Span<float> mel = scratch.Slice(_fftSize + _bins, _melBands);
        PreEmphasiseAndWindow(frame, previous);
        PowerSpectrum(frame, spectrum, _magnitude);
        MelLogEnergies(spectrum, mel);
        if (Config.Output == FeatureKind.LogMel) mel.CopyTo(output);
        else Dct(mel, output);
    }

    private void PreEmphasiseAndWindow(Span<float> frame, float previous)
    {
        float a = Tables.PreEmphasis;
        if (a != 0f)
        {
            for (int n = _window - 1; n > 0; n--) frame[n] = frame[n] - a * frame[n - 1];
            frame[0] = frame[0] - a * previous;
        }
        ReadOnlySpan<float> w = Tables.Window;
        Span<float> x = frame[..w.Length];
        for (int n = 0; n < x.Length; n++) x[n] = x[n] * w[n];
        frame[_window..].Clear();
    }

    /// <summary>
    /// In-place real FFT of <paramref name="frame"/> (N floats, read as N/2 complex z[n] = x[2n] + i x[2n+1]), then
    /// |X[k]|^2 (or its sqrt) for k = 0..N/2. With Z = FFT(z), M = N/2, for 0 &lt; k &lt; M:
    /// E = ((Zr[k] + Zr[M-k]) * 0.5, (Zi[k] - Zi[M-k]) * 0.5), O = ((Zi[k] + Zi[M-k]) * 0.5, (Zr[M-k] - Zr[k]) * 0.5),
    /// Xr = Er + (c*Or + s*Oi), Xi = Ei + (c*Oi - s*Or) with c, s = FftCos[k], FftSin[k];
    /// X[0] = Zr[0] + Zi[0], X[M] = Zr[0] - Zi[0].
    /// </summary>
    private void PowerSpectrum(Span<float> frame, Span<float> spectrum, bool magnitude)
    {
        int m = _fftSize / 2;
        ref float z = ref MemoryMarshal.GetReference(frame);
        ref float cos = ref MemoryMarshal.GetReference(Tables.FftCos);
        ref float sin = ref MemoryMarshal.GetReference(Tables.FftSin);
        ref int reverse = ref MemoryMarshal.GetReference(Tables.BitReverse);

        for (int i = 0; i < m; i++)
        {
            int j = Unsafe.Add(ref reverse, i);
            if (i < j)
            {
                (Unsafe.Add(ref z, 2 * i), Unsafe.Add(ref z, 2 * j)) = (Unsafe.Add(ref z, 2 * j), Unsafe.Add(ref z, 2 * i));
                (Unsafe.Add(ref z, 2 * i + 1), Unsafe.Add(ref z, 2 * j + 1)) = (Unsafe.Add(ref z, 2 * j + 1), Unsafe.Add(ref z, 2 * i + 1));
            }
        }

        for (int size = 2; size <= m; size <<= 1)
        {
            int half = size >> 1, twiddleStep = _fftSize / size;
            for (int block = 0; block < m; block += size)
            {
                for (int j = 0; j < half; j++)
                {
                    float c = Unsafe.Add(ref cos, j * twiddleStep), s = Unsafe.Add(ref sin, j * twiddleStep);
                    ref float ar = ref Unsafe.Add(ref z, 2 * (block + j));
                    ref float ai = ref Unsafe.Add(ref ar, 1);
                    ref float br = ref Unsafe.Add(ref ar, 2 * half);
                    ref float bi = ref Unsafe.Add(ref br, 1);
                    float tr = c * br + s * bi;
                    float ti = c * bi - s * br;
                    br = ar - tr;
                    bi = ai - ti;
                    ar = ar + tr;
                    ai = ai + ti;
                }
            }
        }

        ref float output = ref MemoryMarshal.GetReference(spectrum);
        float dc = z + Unsafe.Add(ref z, 1), nyquist = z - Unsafe.Add(ref z, 1);
        output = Finish(dc * dc, magnitude);
        Unsafe.Add(ref output, m) = Finish(nyquist * nyquist, magnitude);
        for (int k = 1; k < m; k++)
        {
            float zr = Unsafe.Add(ref z, 2 * k), zi = Unsafe.Add(ref z, 2 * k + 1);
            float yr = Unsafe.Add(ref z, 2 * (m - k)), yi = Unsafe.Add(ref z, 2 * (m - k) + 1);
            float evenR = (zr + yr) * 0.5f, evenI = (zi - yi) * 0.5f;
            float oddR = (zi + yi) * 0.5f, oddI = (yr - zr) * 0.5f;
            float c = Unsafe.Add(ref cos, k), s = Unsafe.Add(ref sin, k);
            float xr = evenR + (c * oddR + s * oddI);
            float xi = evenI + (c * oddI - s * oddR);
            Unsafe.Add(ref output, k) = Finish(xr * xr + xi * xi, magnitude);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish(float power, bool magnitude) => magnitude ? MathF.Sqrt(power) : power;

    private void MelLogEnergies(ReadOnlySpan<float> spectrum, Span<float> mel)
    {
        ReadOnlySpan<int> starts = Tables.MelStart, lengths = Tables.MelLength, offsets = Tables.MelOffset;
        ReadOnlySpan<float> weights = Tables.MelWeights;
        float floor = Tables.LogFloor;
        for (int b = 0; b < mel.Length; b++)
        {
            var bandWeights = weights.Slice(offsets[b], lengths[b]);
            var bins = spectrum.Slice(starts[b], bandWeights.Length);
            float sum = 0f;
            for (int j = 0; j < bandWeights.Length; j++) sum = sum + bandWeights[j] * bins[j];
            mel[b] = HarkMath.Log(sum + floor);
        }
    }

    private void Dct(ReadOnlySpan<float> logMel, Span<float> output)
    {
        ReadOnlySpan<float> dct = Tables.Dct;
        for (int k = 0; k < output.Length; k++)
        {
            var row = dct.Slice(k * logMel.Length, logMel.Length);
            float sum = 0f;
            for (int b = 0; b < row.Length; b++) sum = sum + row[b] * logMel[b];
            output[k] = sum;
        }
    }

    [DoesNotReturn]
    private static void ThrowWrongLength(string name, int expected, int actual) =>
        throw new ArgumentException($"{name} must hold {expected} floats, not {actual}", name);
}
