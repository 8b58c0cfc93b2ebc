using ScottPlot;

namespace Hark.Cli.Plots;

/// <summary>What <see cref="ClipFigure"/> draws: one clip, its power spectrogram and the model's features.</summary>
public sealed record ClipFigureData(
    string Title,
    float[] Samples,
    int SampleRate,
    float[] PowerSpectrogram,   // [frame, bin]
    int SpectrumBins,
    float[] Features,           // [frame, feature]
    int FeaturesPerFrame,
    double StrideSeconds,
    string FeatureLabel);

/// <summary>Three stacked panels: waveform, spectrogram in dB, and the feature "image" the network classifies.</summary>
public static class ClipFigure
{
    private const double DbFloor = -100;

    public static void SavePng(ClipFigureData data, string path, int width = 1200, int height = 1000)
    {
        var figure = new Multiplot();
        figure.AddPlots(3);
        DrawWaveform(figure.GetPlot(0), data);
        DrawSpectrogram(figure.GetPlot(1), data);
        DrawFeatures(figure.GetPlot(2), data);
        figure.SavePng(path, width, height);
    }

    private static void DrawWaveform(Plot plot, ClipFigureData data)
    {
        var signal = plot.Add.Signal(data.Samples, 1.0 / data.SampleRate);
        signal.LineWidth = 1;
        plot.Title(data.Title);
        plot.XLabel("time (s)");
        plot.YLabel("amplitude");
        plot.Axes.SetLimitsY(-1, 1);
        plot.Axes.SetLimitsX(0, Math.Max(data.Samples.Length, 1) / (double)data.SampleRate);
    }

    private static void DrawSpectrogram(Plot plot, ClipFigureData data)
    {
        int bins = data.SpectrumBins, frames = data.PowerSpectrogram.Length / bins;
        // Heatmap row 0 is drawn at the top, so the highest frequency goes first.
        var db = new double[bins, Math.Max(frames, 1)];
        for (int f = 0; f < frames; f++)
            for (int k = 0; k < bins; k++)
                db[bins - 1 - k, f] = Math.Max(DbFloor, 10 * Math.Log10(data.PowerSpectrogram[f * bins + k] + 1e-12));
        var heatmap = plot.Add.Heatmap(db);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.Rectangle = new CoordinateRect(0, Math.Max(frames, 1) * data.StrideSeconds, 0, data.SampleRate / 2.0);
        plot.Add.ColorBar(heatmap).Label = "dB";
        plot.Axes.Margins(0, 0);
        plot.Title("power spectrogram");
        plot.XLabel("time (s)");
        plot.YLabel("frequency (Hz)");
    }

    private static void DrawFeatures(Plot plot, ClipFigureData data)
    {
        int perFrame = data.FeaturesPerFrame, frames = data.Features.Length / perFrame;
        var image = new double[perFrame, Math.Max(frames, 1)];
        for (int f = 0; f < frames; f++)
            for (int c = 0; c < perFrame; c++)
                image[perFrame - 1 - c, f] = data.Features[f * perFrame + c];
        var heatmap = plot.Add.Heatmap(image);
        heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
        heatmap.Rectangle = new CoordinateRect(0, frames, 0, perFrame);
        plot.Add.ColorBar(heatmap);
        plot.Axes.Margins(0, 0);
        plot.Title($"model input: {frames} frames x {perFrame} {data.FeatureLabel}");
        plot.XLabel("frame");
        plot.YLabel(data.FeatureLabel);
    }
}
