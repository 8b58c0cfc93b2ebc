namespace Hark.Tests.Synthesis;

/// <summary>Welch-averaged power spectral density by Goertzel, enough to measure slopes and find tones in tests.</summary>
internal static class Spectrum
{
    /// <summary>Mean PSD (dB) of the DFT bins inside [low, high) Hz, averaged over Hann-windowed segments.</summary>
    public static double BandDensityDb(ReadOnlySpan<float> signal, int sampleRate, double low, double high, int segment = 1024)
    {
        var window = new double[segment];
        for (int i = 0; i < segment; i++) window[i] = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / segment);
        int firstBin = (int)Math.Ceiling(low * segment / sampleRate), lastBin = (int)Math.Ceiling(high * segment / sampleRate) - 1;
        double total = 0;
        int count = 0;
        for (int start = 0; start + segment <= signal.Length; start += segment / 2)
        {
            var part = signal.Slice(start, segment);
            for (int bin = firstBin; bin <= lastBin; bin++)
            {
                double w = 2 * Math.PI * bin / segment, coefficient = 2 * Math.Cos(w), s1 = 0, s2 = 0;
                for (int i = 0; i < segment; i++)
                {
                    double s0 = part[i] * window[i] + coefficient * s1 - s2;
                    s2 = s1;
                    s1 = s0;
                }
                total += s1 * s1 + s2 * s2 - coefficient * s1 * s2;
                count++;
            }
        }
        return 10 * Math.Log10(total / count);
    }

    /// <summary>Least-squares slope of band density against octave number, over octave bands from 125 Hz to 4 kHz.</summary>
    public static double SlopeDbPerOctave(ReadOnlySpan<float> signal, int sampleRate)
    {
        double[] x = new double[5], y = new double[5];
        for (int k = 0; k < 5; k++)
        {
            double low = 125 * Math.Pow(2, k);
            x[k] = k;
            y[k] = BandDensityDb(signal, sampleRate, low, 2 * low);
        }
        double mx = x.Average(), my = y.Average();
        return x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
    }
}
