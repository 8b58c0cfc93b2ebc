using Hark.Audio;
using Hark.Datasets;
using Hark.Features;

namespace Hark.Evaluation;

/// <summary>One class's figures in an evaluation.</summary>
public sealed record ClassScore(string Label, double Precision, double Recall, int Support);

/// <summary>
/// How well one keyword's score separates its clips from every other clip, whatever threshold a detector later
/// picks: <see cref="Auc"/> is the chance that a random keyword clip scores above a random other clip, and
/// <see cref="RecallAtOnePercentFalseAccepts"/> the share of keyword clips caught at the threshold that accepts
/// only 1 % of the other clips (threshold picked on these same clips, so an optimistic operating point).
/// </summary>
public sealed record KeywordDetection(string Label, double Auc, double RecallAtOnePercentFalseAccepts, int Positives, int Negatives);

/// <summary>What an evaluation found. Clips that could not be read are listed, never silently dropped.</summary>
public sealed record EvaluationReport(
    ProtocolKind Protocol,
    double Accuracy,
    IReadOnlyList<string> Labels,
    int[][] Confusion,
    IReadOnlyList<ClassScore> PerClass,
    int Clips,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyDictionary<string, int> Unscored)
{
    /// <summary>Threshold-free detection figures for every keyword (not <c>_unknown_</c> or <c>_silence_</c>) that has clips.</summary>
    public IReadOnlyList<KeywordDetection> Detection { get; init; } = [];
}

/// <summary>Scores a classifier on labelled clips under an <see cref="EvaluationProtocol"/>.</summary>
public static class Evaluator
{
    private const int BatchClips = 256;

    public static EvaluationReport Run(IKeywordClassifier classifier, IEnumerable<LabeledClip> clips, ProtocolKind kind,
        IProgress<ProgressReport>? progress = null, CancellationToken cancellationToken = default)
    {
        var protocol = EvaluationProtocol.Create(kind, classifier.Labels);
        var labelIndex = classifier.Labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i);

        // Words the model has no class for (e.g. any word at all when it lacks _unknown_) are counted, not scored.
        var unscored = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var scored = new List<(LabeledClip Clip, int Target)>();
        foreach (var clip in clips)
        {
            string? target = protocol.TargetFor(clip.Label);
            if (target is null) unscored[clip.Label] = unscored.GetValueOrDefault(clip.Label) + 1;
            else scored.Add((clip, labelIndex[target]));
        }
        if (scored.Count == 0) throw new HarkException("no clip in the data can be scored against this model's labels");

        var frontEnd = new FrontEnd(classifier.FrontEnd);
        int featureLength = frontEnd.FramesPerClip * frontEnd.FeaturesPerFrame;
        var matrix = new ConfusionMatrix(classifier.Labels);
        var skipped = new List<SkippedEntry>();
        var features = new float[BatchClips * featureLength];
        var readable = new bool[BatchClips];
        var results = new List<(int Target, float[] Probabilities)>(scored.Count);
        var problems = new string?[BatchClips];

        for (int start = 0; start < scored.Count; start += BatchClips)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(BatchClips, scored.Count - start);
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                try
                {
                    var audio = WavReader.ReadPipeline(scored[start + i].Clip.Path);
                    frontEnd.ComputeClip(audio.Samples, features.AsSpan(i * featureLength, featureLength));
                    readable[i] = true;
                }
                catch (InputFileException e)
                {
                    readable[i] = false;
                    problems[i] = e.Problem;
                }
            });

            // Pack the readable clips to the front so one batch call scores them all.
            int packed = 0;
            var targets = new List<int>(count);
            for (int i = 0; i < count; i++)
            {
                if (!readable[i])
                {
                    skipped.Add(new SkippedEntry(scored[start + i].Clip.Path, problems[i]!));
                    continue;
                }
                if (packed != i)
                    features.AsSpan(i * featureLength, featureLength).CopyTo(features.AsSpan(packed * featureLength));
                targets.Add(scored[start + i].Target);
                packed++;
            }
            if (packed > 0)
            {
                var probabilities = classifier.PredictBatch(features.AsSpan(0, packed * featureLength), packed);
                for (int i = 0; i < packed; i++)
                {
                    matrix.Add(targets[i], ArgMax(probabilities[i]));
                    results.Add((targets[i], probabilities[i]));
                }
            }
            progress?.Report(new ProgressReport((double)(start + count) / scored.Count, $"{start + count}/{scored.Count} clips"));
        }

        var perClass = classifier.Labels
            .Select((label, i) => new ClassScore(label, matrix.Precision(i), matrix.Recall(i), matrix.Support(i)))
            .ToList();
        var detection = classifier.Labels.Select((label, i) => (label, i))
            .Where(x => x.label is not (Labels.Unknown or Labels.Silence))
            .Select(x => Detect(x.label, x.i, results))
            .OfType<KeywordDetection>()
            .ToList();
        return new EvaluationReport(kind, matrix.Accuracy, classifier.Labels, matrix.ToJagged(), perClass, matrix.Total,
            skipped, unscored) { Detection = detection };
    }

    /// <summary>Null when the keyword has no clips or nothing else was scored.</summary>
    internal static KeywordDetection? Detect(string label, int index, IReadOnlyList<(int Target, float[] Probabilities)> results)
    {
        var positives = results.Where(r => r.Target == index).Select(r => r.Probabilities[index]).ToArray();
        var negatives = results.Where(r => r.Target != index).Select(r => r.Probabilities[index]).ToArray();
        if (positives.Length == 0 || negatives.Length == 0) return null;
        Array.Sort(negatives);
        // Mann-Whitney: for each positive, the negatives below it (ties count half).
        double wins = 0;
        foreach (float p in positives)
        {
            int below = LowerBound(negatives, p), notAbove = UpperBound(negatives, p);
            wins += below + 0.5 * (notAbove - below);
        }
        // The threshold accepting at most 1 % of negatives: strictly above the k-th highest negative score.
        int allowed = (int)Math.Floor(0.01 * negatives.Length);
        float threshold = negatives[negatives.Length - 1 - allowed];
        double recall = (double)positives.Count(p => p > threshold) / positives.Length;
        return new KeywordDetection(label, wins / ((double)positives.Length * negatives.Length), recall, positives.Length, negatives.Length);
    }

    private static int LowerBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] < value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private static int UpperBound(float[] sorted, float value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi) { int mid = (lo + hi) / 2; if (sorted[mid] <= value) lo = mid + 1; else hi = mid; }
        return lo;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
