using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hark.Audio;

/// <summary>
/// Band-limited sample-rate conversion between two fixed rates with a Kaiser-windowed sinc filter, built once and
/// reusable from any number of threads.
/// </summary>
/// <remarks>
/// <para>Filter, relative to the lower of the two rates <c>f_low</c> (16 kHz when converting to or from the pipeline):</para>
/// <list type="bullet">
/// <item>Passband flat to 0.45 f_low (7.2 kHz at 16 kHz), ripple below 0.001 dB: it covers the whole range a
/// keyword-spotting front end looks at.</item>
/// <item>Stopband from 0.5 f_low (the lower Nyquist) with at least <see cref="StopbandAttenuationDb"/> dB of
/// attenuation. Because the stopband starts exactly at Nyquist, nothing folds back as an alias above that level;
/// the 0.45-0.5 f_low transition band is rolled off but not aliased. 80 dB sits below the noise floor of any
/// microphone recording and costs about 280 taps per output sample for 44.1 kHz to 16 kHz.</item>
/// <item>Zero phase: output sample n is centred on input time n * from / to, so conversion adds no delay.</item>
/// </list>
/// <para>For a rational ratio L/M (in lowest terms) with L up to <see cref="MaxExactPhases"/>, every output lands
/// on one of L precomputed filter phases, so the filter is exact: 22050, 44100, 48000 and 8000 Hz to 16 kHz all do.
/// Other ratios interpolate linearly between <see cref="MaxExactPhases"/> + 1 phases, whose error (below -100 dB)
/// stays far under the stopband. Each phase is normalised to unit DC gain, so no phase-dependent gain ripple
/// turns into a tone. Samples outside the input are treated as silence.</para>
/// <para>Dot products use fixed 128-bit vectors rather than <see cref="System.Numerics.Vector{T}"/> so results are
/// bit-identical across machines with different vector widths.</para>
/// </remarks>
public sealed class PolyphaseResampler
{
    public const double StopbandAttenuationDb = 80;
    public const double PassbandEdge = 0.45;
    public const double StopbandEdge = 0.5;
    public const int MaxExactPhases = 1024;

    private readonly int _upFactor;   // L: output samples per M input samples
    private readonly int _downFactor; // M
    private readonly bool _interpolatesPhases;
    private readonly int _tapsPerPhase;
    private readonly float[] _table; // phase-major rows of _tapsPerPhase coefficients

    public PolyphaseResampler(int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(toRate);
        FromRate = fromRate;
        ToRate = toRate;
        int gcd = Gcd(fromRate, toRate);
        _upFactor = toRate / gcd;
        _downFactor = fromRate / gcd;

        // Work in cycles per input sample: the filter is applied at the input's rate, at fractional positions.
        double lowRate = Math.Min(fromRate, toRate);
        double cutoff = (PassbandEdge + StopbandEdge) / 2 * lowRate / fromRate;
        double transition = (StopbandEdge - PassbandEdge) * lowRate / fromRate;
        // Kaiser's design formulas (Oppenheim & Schafer 7.6) for the window length and shape.
        double kaiserLength = (StopbandAttenuationDb - 7.95) / (2.285 * 2 * Math.PI * transition);
        double beta = 0.1102 * (StopbandAttenuationDb - 8.7);
        int halfWidth = (int)Math.Ceiling(kaiserLength / 2);
        _tapsPerPhase = 2 * halfWidth;

        _interpolatesPhases = _upFactor > MaxExactPhases;
        int rows = _interpolatesPhases ? MaxExactPhases + 1 : _upFactor;
        double phaseStep = 1.0 / (_interpolatesPhases ? MaxExactPhases : _upFactor);
        _table = new float[rows * _tapsPerPhase];
        double besselBeta = BesselI0(beta);
        var row = new double[_tapsPerPhase];
        for (int p = 0; p < rows; p++)
        {
            double fraction = p * phaseStep;
            double sum = 0;
            for (int k = 0; k < _tapsPerPhase; k++)
            {
                // Tap k multiplies input sample i - halfWidth + 1 + k for an output at input time i + fraction.
                double tau = fraction + halfWidth - 1 - k;
                double r = tau / halfWidth;
                double window = r * r >= 1 ? 0 : BesselI0(beta * Math.Sqrt(1 - r * r)) / besselBeta;
                double x = 2 * cutoff * tau;
                double sinc = tau == 0 ? 1 : Math.Sin(Math.PI * x) / (Math.PI * x);
                row[k] = 2 * cutoff * sinc * window;
                sum += row[k];
            }
            for (int k = 0; k < _tapsPerPhase; k++) _table[p * _tapsPerPhase + k] = (float)(row[k] / sum);
        }
    }

    public int FromRate { get; }
    public int ToRate { get; }

    /// <summary>Coefficients applied per output sample: the cost of conversion is this times the output length.</summary>
    public int TapsPerOutput => _tapsPerPhase;

    /// <summary>Samples the output of <paramref name="inputLength"/> samples has: enough to span the same duration.</summary>
    public long OutputLength(int inputLength) => ((long)inputLength * _upFactor + _downFactor - 1) / _downFactor;

    public float[] Resample(ReadOnlySpan<float> input)
    {
        long length = OutputLength(input.Length);
        if (length > Array.MaxLength)
            throw new ArgumentException($"{input.Length} samples at {FromRate} Hz are too many to convert to {ToRate} Hz", nameof(input));
        var output = new float[length];
        Resample(input, output);
        return output;
    }

    /// <summary>Converts <paramref name="input"/> into <paramref name="output"/>, which must hold exactly <see cref="OutputLength"/> samples.</summary>
    public void Resample(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length != OutputLength(input.Length))
            throw new ArgumentException($"output must hold {OutputLength(input.Length)} samples", nameof(output));
        if (output.IsEmpty) return;

        // Zero margins let every output read a full window without bounds logic in the loop.
        int margin = _tapsPerPhase / 2;
        float[] padded = ArrayPool<float>.Shared.Rent(input.Length + 2 * margin);
        try
        {
            padded.AsSpan(0, margin).Clear();
            input.CopyTo(padded.AsSpan(margin));
            padded.AsSpan(margin + input.Length, margin).Clear();
            var source = padded.AsSpan(0, input.Length + 2 * margin);
            var table = _table.AsSpan();
            for (int n = 0; n < output.Length; n++)
            {
                long position = (long)n * _downFactor;
                int inputIndex = (int)(position / _upFactor);
                int phase = (int)(position % _upFactor);
                var window = source.Slice(inputIndex + 1, _tapsPerPhase);
                if (!_interpolatesPhases)
                {
                    output[n] = Dot(window, table.Slice(phase * _tapsPerPhase, _tapsPerPhase));
                    continue;
                }
                // Interpolating the coefficients is linear, so it equals interpolating the two phases' outputs.
                double exact = (double)phase * MaxExactPhases / _upFactor;
                int row = (int)exact;
                float weight = (float)(exact - row);
                float below = Dot(window, table.Slice(row * _tapsPerPhase, _tapsPerPhase));
                float above = Dot(window, table.Slice((row + 1) * _tapsPerPhase, _tapsPerPhase));
                output[n] = below + weight * (above - below);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(padded);
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref float aRef = ref MemoryMarshal.GetReference(a);
        ref float bRef = ref MemoryMarshal.GetReference(b);
        int i = 0;
        var accumulator = Vector128<float>.Zero;
        for (; i <= a.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            accumulator += Vector128.LoadUnsafe(ref aRef, (nuint)i) * Vector128.LoadUnsafe(ref bRef, (nuint)i);
        float sum = Vector128.Sum(accumulator);
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Modified Bessel function of the first kind, order 0, by its power series (converges for all x).</summary>
    private static double BesselI0(double x)
    {
        double sum = 1, term = 1, halfX = x / 2;
        for (int k = 1; term > 1e-12 * sum; k++)
        {
            term *= halfX / k * (halfX / k);
            sum += term;
        }
        return sum;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
