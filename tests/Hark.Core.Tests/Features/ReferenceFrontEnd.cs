using Hark.Features;

namespace Hark.Tests.Features;

/// <summary>
/// A deliberately naive double-precision front end written from the textbook definitions, sharing nothing with
/// <see cref="FrontEnd"/> but the config: O(N^2) DFT, dense mel matrix, Math.Log, DCT-II from its formula.
/// </summary>
internal static class ReferenceFrontEnd
{
    public static double[,] Compute(FrontEndConfig config, ReadOnlySpan<short> clip)
    {
        int window = config.WindowSamples, stride = config.StrideSamples, n = config.FftSize, bins = n / 2 + 1;
        int frames = 1 + (config.ClipSamples - window) / stride, bands = config.MelBands;
        double Sample(ReadOnlySpan<short> s, int i) => i >= 0 && i < s.Length ? s[i] / 32768.0 : 0.0;
        var features = new double[frames, config.FeaturesPerFrame];
        var x = new double[window];
        var spectrum = new double[bins];
        var logMel = new double[bands];
        for (int f = 0; f < frames; f++)
        {
            int start = f * stride;
            for (int i = 0; i < window; i++)
            {
                double value = Sample(clip, start + i) - config.PreEmphasis * Sample(clip, start + i - 1);
                x[i] = value * WindowValue(config.Window, i, window);
            }
            for (int k = 0; k < bins; k++)
            {
                double re = 0, im = 0;
                for (int i = 0; i < window; i++)
                {
                    re += x[i] * Math.Cos(2 * Math.PI * k * i / n);
                    im -= x[i] * Math.Sin(2 * Math.PI * k * i / n);
                }
                double power = re * re + im * im;
                spectrum[k] = config.Spectrum == SpectrumKind.Power ? power : Math.Sqrt(power);
            }
            for (int b = 0; b < bands; b++)
            {
                double energy = 0;
                for (int k = 1; k < bins; k++) energy += Triangle(config, b, k * (double)config.SampleRate / n) * spectrum[k];
                logMel[b] = Math.Log(energy + config.LogFloor);
            }
            for (int c = 0; c < config.FeaturesPerFrame; c++)
            {
                if (config.Output == FeatureKind.LogMel) { features[f, c] = logMel[c]; continue; }
                double sum = 0;
                for (int b = 0; b < bands; b++) sum += logMel[b] * Math.Cos(Math.PI / bands * (b + 0.5) * c);
                features[f, c] = sum * Math.Sqrt(2.0 / bands);
            }
        }
        return features;
    }

    private static double WindowValue(WindowFunction kind, int i, int length) => kind switch
    {
        WindowFunction.Hann => Math.Pow(Math.Sin(Math.PI * i / length), 2),
        WindowFunction.Hamming => 0.54 - 0.46 * Math.Cos(2 * Math.PI * i / length),
        WindowFunction.Blackman => 0.42 - 0.5 * Math.Cos(2 * Math.PI * i / length) + 0.08 * Math.Cos(4 * Math.PI * i / length),
        _ => 1.0,
    };

    private static double Triangle(FrontEndConfig config, int band, double hz)
    {
        static double Mel(double f) => 1127.0 * Math.Log(1.0 + f / 700.0);
        double low = Mel(config.LowHz), width = (Mel(config.HighHz) - low) / (config.MelBands + 1);
        double left = low + band * width, mel = Mel(hz);
        double t = (mel - left) / width;
        return t <= 0 || t >= 2 ? 0 : t <= 1 ? t : 2 - t;
    }
}
