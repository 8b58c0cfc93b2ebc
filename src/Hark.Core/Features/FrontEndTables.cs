namespace Hark.Features;

/// <summary>
/// Every constant the front end multiplies by, computed once in double and rounded to float. A C port embeds these
/// exact floats instead of recomputing them, so table generation never has to agree across libms.
/// </summary>
public sealed class FrontEndTables
{
    /// <summary>Exact scale from an int16 sample to [-1, 1): 2^-15.</summary>
    public const float InputScale = 1f / 32768f;

    private readonly float[] _window;
    private readonly float[] _fftCos;
    private readonly float[] _fftSin;
    private readonly int[] _bitReverse;
    private readonly int[] _melStart;
    private readonly int[] _melLength;
    private readonly int[] _melOffset;
    private readonly float[] _melWeights;
    private readonly float[] _dct;

    public FrontEndTables(FrontEndConfig config)
    {
        config.EnsureValid();
        int n = config.FftSize;
        _window = BuildWindow(config.Window, config.WindowSamples);
        (_fftCos, _fftSin) = BuildTwiddles(n);
        _bitReverse = BuildBitReverse(n / 2);
        (_melStart, _melLength, _melOffset, _melWeights) = MelFilterBank.Build(config);
        _dct = config.Output == FeatureKind.Mfcc ? BuildDct(config.Coefficients, config.MelBands) : [];
        PreEmphasis = (float)config.PreEmphasis;
        LogFloor = (float)config.LogFloor;
    }

    /// <summary>w[n], n in [0, window samples): periodic window, e.g. Hann 0.5 - 0.5 cos(2 pi n / W).</summary>
    public ReadOnlySpan<float> Window => _window;

    /// <summary>cos(2 pi k / N) for k in [0, N/2): the real parts of the forward twiddles W_N^k = cos - i sin.</summary>
    public ReadOnlySpan<float> FftCos => _fftCos;

    /// <summary>sin(2 pi k / N) for k in [0, N/2).</summary>
    public ReadOnlySpan<float> FftSin => _fftSin;

    /// <summary>Bit-reversal permutation of the N/2-point complex FFT: element i swaps with BitReverse[i] when i &lt; it.</summary>
    public ReadOnlySpan<int> BitReverse => _bitReverse;

    /// <summary>First FFT bin of mel band b (bin 0 = DC is never used).</summary>
    public ReadOnlySpan<int> MelStart => _melStart;

    /// <summary>Number of consecutive bins with non-zero weight in mel band b.</summary>
    public ReadOnlySpan<int> MelLength => _melLength;

    /// <summary>Where band b's weights begin in <see cref="MelWeights"/>.</summary>
    public ReadOnlySpan<int> MelOffset => _melOffset;

    /// <summary>All bands' weights back to back: band b uses MelWeights[MelOffset[b] + j] for bin MelStart[b] + j.</summary>
    public ReadOnlySpan<float> MelWeights => _melWeights;

    /// <summary>
    /// DCT-II rows, [coefficient, band] row-major: sqrt(2/B) cos(pi k (2b + 1) / (2B)), which is tf.signal.mfccs's
    /// unnormalised DCT-II times 1/sqrt(2B). Empty for log-mel output.
    /// </summary>
    public ReadOnlySpan<float> Dct => _dct;

    public float PreEmphasis { get; }
    public float LogFloor { get; }

    private static float[] BuildWindow(WindowFunction kind, int length)
    {
        var window = new float[length];
        for (int i = 0; i < length; i++)
        {
            double phase = 2 * Math.PI * i / length;
            window[i] = (float)(kind switch
            {
                WindowFunction.Hann => 0.5 - 0.5 * Math.Cos(phase),
                WindowFunction.Hamming => 0.54 - 0.46 * Math.Cos(phase),
                WindowFunction.Blackman => 0.42 - 0.5 * Math.Cos(phase) + 0.08 * Math.Cos(2 * phase),
                WindowFunction.Rectangular => 1.0,
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            });
        }
        return window;
    }

    private static (float[] Cos, float[] Sin) BuildTwiddles(int n)
    {
        var cos = new float[n / 2];
        var sin = new float[n / 2];
        for (int k = 0; k < n / 2; k++)
        {
            double angle = 2 * Math.PI * k / n;
            cos[k] = (float)Math.Cos(angle);
            sin[k] = (float)Math.Sin(angle);
        }
        return (cos, sin);
    }

    private static int[] BuildBitReverse(int m)
    {
        int bits = int.Log2(m);
        var reverse = new int[m];
        for (int i = 0; i < m; i++)
        {
            int r = 0;
            for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            reverse[i] = r;
        }
        return reverse;
    }

    private static float[] BuildDct(int coefficients, int bands)
    {
        var dct = new float[coefficients * bands];
        double scale = Math.Sqrt(2.0 / bands);
        for (int k = 0; k < coefficients; k++)
            for (int b = 0; b < bands; b++)
                dct[k * bands + b] = (float)(scale * Math.Cos(Math.PI * k * (2 * b + 1) / (2.0 * bands)));
        return dct;
    }
}

/// <summary>
/// HTK-mel triangles laid out exactly like tf.signal.linear_to_mel_weight_matrix: band edges equally spaced in
/// mel = 1127 ln(1 + f/700) from low to high, each FFT bin k (frequency k fs / N) weighted by the triangle it falls
/// in, DC excluded.
/// </summary>
internal static class MelFilterBank
{
    public static double HzToMel(double hz) => 1127.0 * Math.Log(1.0 + hz / 700.0);

    public static (int[] Start, int[] Length, int[] Offset, float[] Weights) Build(FrontEndConfig config)
    {
        var dense = DenseWeights(config);
        int bands = config.MelBands, bins = config.FftSize / 2 + 1;
        var start = new int[bands];
        var length = new int[bands];
        var offset = new int[bands];
        var weights = new List<float>();
        for (int b = 0; b < bands; b++)
        {
            int first = -1, last = -1;
            for (int k = 0; k < bins; k++)
                if (dense[b, k] != 0f) { if (first < 0) first = k; last = k; }
            offset[b] = weights.Count;
            if (first < 0) continue;
            start[b] = first;
            length[b] = last - first + 1;
            for (int k = first; k <= last; k++) weights.Add(dense[b, k]);
        }
        return (start, length, offset, weights.ToArray());
    }

    /// <summary>Index of the first band whose weights all round to zero, or -1.</summary>
    public static int FirstEmptyBand(FrontEndConfig config)
    {
        var dense = DenseWeights(config);
        for (int b = 0; b < dense.GetLength(0); b++)
        {
            bool any = false;
            for (int k = 0; k < dense.GetLength(1) && !any; k++) any = dense[b, k] != 0f;
            if (!any) return b;
        }
        return -1;
    }

    private static float[,] DenseWeights(FrontEndConfig config)
    {
        int bands = config.MelBands, bins = config.FftSize / 2 + 1;
        double lowMel = HzToMel(config.LowHz), highMel = HzToMel(config.HighHz);
        double step = (highMel - lowMel) / (bands + 1);
        var dense = new float[bands, bins];
        for (int b = 0; b < bands; b++)
        {
            double lower = lowMel + b * step, center = lowMel + (b + 1) * step, upper = lowMel + (b + 2) * step;
            for (int k = 1; k < bins; k++)
            {
                double mel = HzToMel((double)k * config.SampleRate / config.FftSize);
                double rising = (mel - lower) / (center - lower), falling = (upper - mel) / (upper - center);
                dense[b, k] = (float)Math.Max(0.0, Math.Min(rising, falling));
            }
        }
        return dense;
    }
}
