using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

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
/// <item>N-point real FFT and P[k] = Xr*Xr + Xi*Xi, or sqrt(P[k]) for the magnitude spectrum (IEEE sqrt is exactly
///   rounded in C and .NET), exactly as documented on <c>RealFft.PowerSpectrum</c>;</item>
/// <item>mel[b] = sum over the band's bins, acc = acc + weight * S[k] starting from 0;</item>
/// <item>L[b] = <see cref="HarkMath.Log"/>(mel[b] + floor);</item>
/// <item>MFCC only: c[k] = sum over b, acc = acc + D[k, b] * L[b] starting from 0.</item>
/// </list>
/// The window, int16 conversion, FFT butterflies, spectrum split and DCT run on 256/128-bit vectors whose lanes do
/// exactly the scalar operations above (no FMA), so results are the same bits without them (tested both ways).
/// Instances are immutable and thread-safe; <see cref="ComputeClip(ReadOnlySpan{float}, Span{float})"/> rents its
/// scratch from the shared pool, so it allocates nothing after warm-up.
/// </summary>
public sealed class FrontEnd
{
    private readonly int _window, _stride, _fftSize, _bins, _melBands, _features;
    private readonly bool _magnitude;
    private readonly RealFft _fft;
    private readonly float[] _dctTransposed;   // [band, coefficient]: lets vector lanes run across coefficients

    public FrontEnd(FrontEndConfig config)
    {
        Tables = new FrontEndTables(config);
        Config = config;
        _fft = new RealFft(Tables);
        _window = config.WindowSamples;
        _stride = config.StrideSamples;
        _fftSize = config.FftSize;
        _bins = config.FftSize / 2 + 1;
        _melBands = config.MelBands;
        _features = config.FeaturesPerFrame;
        _magnitude = config.Spectrum == SpectrumKind.Magnitude;
        _dctTransposed = new float[Tables.Dct.Length];
        for (int k = 0; k < config.FeaturesPerFrame && config.Output == FeatureKind.Mfcc; k++)
            for (int b = 0; b < _melBands; b++)
                _dctTransposed[b * _features + k] = Tables.Dct[k * _melBands + b];
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

    /// <summary>Floats of scratch one frame needs: the samples, the FFT's work, the spectrum and the mel energies.</summary>
    internal int ScratchLength => _fftSize + _fft.ScratchLength + _bins + _melBands;

    /// <summary>Whole frames that fit in <paramref name="sampleCount"/> samples.</summary>
    public int FrameCount(int sampleCount) => sampleCount < _window ? 0 : 1 + (sampleCount - _window) / _stride;

    /// <summary>A float sample in [-1, 1] as the int16 a 16-bit WAV would hold: round half to even, saturate, NaN to 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Quantize(float sample)
    {
        float scaled = MathF.Round(sample * 32768f);
        return scaled >= 32767f ? short.MaxValue : scaled <= -32768f ? short.MinValue : (short)scaled;
    }

    /// <summary><see cref="Quantize(float)"/> of every sample of <paramref name="samples"/> into <paramref name="destination"/>.</summary>
    public static void Quantize(ReadOnlySpan<float> samples, Span<short> destination) =>
        Kernels.Quantize(samples, destination);

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
            Quantize(audio[..used], quantized);
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
        float[] scratch = ArrayPool<float>.Shared.Rent(ScratchLength);
        short[] window = ArrayPool<short>.Shared.Rent(_window + 1);
        try
        {
            for (int f = 0; f < frames; f++)
            {
                int start = f * _stride;
                Quantize(audio.Slice(start, _window), window);
                LoadFrame(window.AsSpan(0, _window), 0, scratch);
                float previous = start > 0 ? Quantize(audio[start - 1]) * FrontEndTables.InputScale : 0f;
                Span<float> frame = scratch.AsSpan(0, _fftSize);
                PreEmphasiseAndWindow(frame, previous);
                _fft.PowerSpectrum(frame, scratch.AsSpan(_fftSize, _fft.ScratchLength), power.Slice(f * _bins, _bins),
                                   magnitude: false);
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
        if (available > 0) Kernels.ToFloat(audio.Slice(start, available), frame, FrontEndTables.InputScale);
        frame[available.._window].Clear();
    }

    /// <summary>
    /// Features of one frame. <paramref name="scratch"/> holds the W samples (scaled) at its start and has
    /// <see cref="ScratchLength"/> floats; it is overwritten.
    /// </summary>
    internal void ComputeFrame(Span<float> scratch, float previous, Span<float> output)
    {
        Span<float> frame = scratch[.._fftSize];
        Span<float> fftScratch = scratch.Slice(_fftSize, _fft.ScratchLength);
        Span<float> spectrum = scratch.Slice(_fftSize + _fft.ScratchLength, _bins);
        Span<float> mel = scratch.Slice(_fftSize + _fft.ScratchLength + _bins, _melBands);
        PreEmphasiseAndWindow(frame, previous);
        _fft.PowerSpectrum(frame, fftScratch, spectrum, _magnitude);
        MelLogEnergies(spectrum, mel);
        if (Config.Output == FeatureKind.LogMel) mel.CopyTo(output);
        else Kernels.TransposedMatrixVector(_dctTransposed, mel, output);
    }

    private void PreEmphasiseAndWindow(Span<float> frame, float previous)
    {
        float a = Tables.PreEmphasis;
        if (a != 0f)
        {
            for (int n = _window - 1; n > 0; n--) frame[n] = frame[n] - a * frame[n - 1];
            frame[0] = frame[0] - a * previous;
        }
        Kernels.MultiplyInPlace(frame, Tables.Window);
        frame[_window..].Clear();
    }

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

    [DoesNotReturn]
    private static void ThrowWrongLength(string name, int expected, int actual) =>
        throw new ArgumentException($"{name} must hold {expected} floats, not {actual}", name);
}
