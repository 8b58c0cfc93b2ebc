using Hark.Audio;
using Hark.Datasets;
using Hark.Features;

namespace Hark.Evaluation;

/// <summary>One class's figures in an evaluation.</summary>
public sealed record ClassScore(string Label, double Precision, double Recall, int Support);

/// <summary>What an evaluation found. Clips that could not be read are listed, never silently dropped.</summary>
public sealed record EvaluationReport(
    ProtocolKind Protocol,
    double Accuracy,
    IReadOnlyList<string> Labels,
    int[][] Confusion,
    IReadOnlyList<ClassScore> PerClass,
    int Clips,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyDictionary<string, int> Unscored);

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
                for (int i = 0; i < packed; i++) matrix.Add(targets[i], ArgMax(probabilities[i]));
            }
            progress?.Report(new ProgressReport((double)(start + count) / scored.Count, $"{start + count}/{scored.Count} clips"));
        }

        var perClass = classifier.Labels
            .Select((label, i) => new ClassScore(label, matrix.Precision(i), matrix.Recall(i), matrix.Support(i)))
            .ToList();
        return new EvaluationReport(kind, matrix.Accuracy, classifier.Labels, matrix.ToJagged(), perClass, matrix.Total,
            skipped, unscored);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
