using System.Globalization;
using Hark.Streaming;
using ScottPlot;

namespace Hark.Cli.Plots;

/// <summary>The detection-error-tradeoff PNG of <c>hark stream-eval</c>.</summary>
public static class DetPlot
{
    /// <summary>A keyword's sweep and the package's own operating point on it.</summary>
    public sealed record Curve(string Label, IReadOnlyList<DetPoint> Points, ushort Threshold, double? MissRate, double FalseAlarmsPerHour);

    /// <summary>
    /// Miss rate (%) against false alarms per hour on a log axis, one curve per keyword (its threshold swept over
    /// 1..256, the other settings fixed), the package's thresholds marked. Zero false alarms cannot sit on a log axis:
    /// those points are drawn at the left edge, half a false alarm per stream (labelled "0").
    /// </summary>
    public static void Save(IReadOnlyList<Curve> curves, double hours, string title, string path)
    {
        double floor = 0.5 / hours;
        double X(double faPerHour) => Math.Log10(Math.Max(faPerHour, floor));
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double maxX = X(floor) + 1;
        for (int c = 0; c < curves.Count; c++)
        {
            var curve = curves[c];
            var points = curve.Points.Where(p => p.MissRate is not null).ToList();
            if (points.Count == 0) continue;
            double[] xs = [.. points.Select(p => X(p.FalseAlarmsPerHour))];
            double[] ys = [.. points.Select(p => 100 * p.MissRate!.Value)];
            maxX = Math.Max(maxX, xs.Max());
            var line = plot.Add.Scatter(xs, ys);
            line.Color = palette.GetColor(c);
            line.MarkerSize = 3;
            line.LegendText = curve.Label;
            if (curve.MissRate is { } miss)
            {
                var marker = plot.Add.Marker(X(curve.FalseAlarmsPerHour), 100 * miss);
                marker.Color = palette.GetColor(c);
                marker.MarkerShape = MarkerShape.OpenCircle;
                marker.MarkerSize = 14;
                marker.LegendText = $"{curve.Label}: package threshold {curve.Threshold} ({curve.Threshold / 256.0:0.00})";
            }
        }
        var zero = plot.Add.VerticalLine(X(floor), color: Colors.LightGray);
        zero.LinePattern = LinePattern.Dotted;

        double lo = Math.Floor(X(floor)), hi = Math.Ceiling(maxX);
        var positions = new List<double> { X(floor) };
        var labels = new List<string> { "0" };
        for (double d = lo; d <= hi; d++)
        {
            if (d <= X(floor) + 0.15) continue;
            positions.Add(d);
            labels.Add(Math.Pow(10, d).ToString("0.###", CultureInfo.InvariantCulture));
        }
        plot.Axes.Bottom.SetTicks([.. positions], [.. labels]);
        plot.Axes.SetLimits(X(floor) - 0.1, hi + 0.05, -2, 102);
        plot.XLabel("false alarms per hour (log scale; 0 at the left edge)");
        plot.YLabel("miss rate (%)");
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 650);
    }
}
