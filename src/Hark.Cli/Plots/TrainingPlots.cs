using Hark.Training;
using ScottPlot;

namespace Hark.Cli.Plots;

/// <summary>The PNGs of a training run: learning curves and the test confusion matrix.</summary>
public static class TrainingPlots
{
    public const string CurvesFile = "curves.png", ConfusionFile = "confusion.png";

    /// <summary>Loss (top) and accuracy (bottom) per epoch, training against validation; the kept epoch is marked.</summary>
    public static void SaveCurves(TrainingMetrics metrics, string path)
    {
        double[] epochs = [.. metrics.History.Select(h => (double)h.Epoch)];
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var loss = multiplot.GetPlot(0);
        var accuracy = multiplot.GetPlot(1);

        AddPair(loss, epochs, [.. metrics.History.Select(h => h.TrainLoss)], [.. metrics.History.Select(h => h.ValidationLoss)]);
        loss.Title("Loss (cross-entropy)");
        AddPair(accuracy, epochs, [.. metrics.History.Select(h => 100 * h.TrainAccuracy)], [.. metrics.History.Select(h => 100 * h.ValidationAccuracy)]);
        accuracy.Title("Accuracy (%)");
        foreach (var plot in new[] { loss, accuracy })
        {
            plot.XLabel("epoch");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            var best = plot.Add.VerticalLine(metrics.BestEpoch, color: Colors.Gray);
            best.LinePattern = LinePattern.Dashed;
            best.LegendText = $"kept (epoch {metrics.BestEpoch})";
            plot.ShowLegend();
        }
        multiplot.SavePng(path, 900, 900);
    }

    /// <summary>Counts of true label (rows) against predicted label (columns), shaded by row fraction.</summary>
    public static void SaveConfusion(IReadOnlyList<string> labels, int[][] confusion, string path)
    {
        int n = labels.Count;
        var shade = new double[n, n];
        for (int r = 0; r < n; r++)
        {
            double total = Math.Max(1, confusion[r].Sum());
            for (int c = 0; c < n; c++) shade[r, c] = confusion[r][c] / total;
        }
        // Plain rectangles rather than a heatmap: the cell geometry and colour scale are then explicit.
        var plot = new Plot();
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                double y = n - 1 - r; // row 0 (the first true label) is drawn at the top
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = Colors.White.MixedWith(Colors.SteelBlue, shade[r, c]);
                cell.LineColor = Colors.LightGray;
                var text = plot.Add.Text(confusion[r][c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, y);
                text.LabelFontColor = shade[r, c] > 0.6 ? Colors.White : Colors.Black;
                text.LabelFontSize = n > 12 ? 10 : 14;
                text.LabelAlignment = Alignment.MiddleCenter;
            }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(positions, [.. labels]);
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], [.. labels]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = labels.Any(l => l.Length > 4) ? 45 : 0;
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.Title("Test confusion (shade: share of the true label)");
        int size = Math.Clamp(120 + 60 * n, 500, 1400);
        plot.SavePng(path, size, size);
    }

    private static void AddPair(Plot plot, double[] epochs, double[] train, double[] validation)
    {
        var t = plot.Add.Scatter(epochs, train);
        t.LegendText = "train";
        var v = plot.Add.Scatter(epochs, validation);
        v.LegendText = "validation";
    }
}
