namespace Hark.Evaluation;

/// <summary>
/// Counts of (true label, predicted label) over a fixed label list, and the figures users judge a model by.
/// Rows are the truth, columns the prediction.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[,] _counts;

    public IReadOnlyList<string> Labels { get; }

    public ConfusionMatrix(IReadOnlyList<string> labels)
    {
        if (labels.Count == 0) throw new ArgumentException("a confusion matrix needs at least one label", nameof(labels));
        Labels = labels;
        _counts = new int[labels.Count, labels.Count];
    }

    public int this[int truth, int predicted] => _counts[truth, predicted];

    public int Total { get; private set; }

    public void Add(int truth, int predicted)
    {
        _counts[truth, predicted]++;
        Total++;
    }

    public double Accuracy => Total == 0 ? 0 : (double)Enumerable.Range(0, Labels.Count).Sum(i => _counts[i, i]) / Total;

    /// <summary>Clips whose truth is class <paramref name="label"/>.</summary>
    public int Support(int label) => Enumerable.Range(0, Labels.Count).Sum(p => _counts[label, p]);

    /// <summary>Fraction of predictions of this class that were right; 0 when the class was never predicted.</summary>
    public double Precision(int label)
    {
        int predicted = Enumerable.Range(0, Labels.Count).Sum(t => _counts[t, label]);
        return predicted == 0 ? 0 : (double)_counts[label, label] / predicted;
    }

    /// <summary>Fraction of this class's clips that were found; 0 when the class has no clips.</summary>
    public double Recall(int label)
    {
        int support = Support(label);
        return support == 0 ? 0 : (double)_counts[label, label] / support;
    }

    public int[][] ToJagged() =>
        [.. Enumerable.Range(0, Labels.Count).Select(t => Enumerable.Range(0, Labels.Count).Select(p => _counts[t, p]).ToArray())];
}
