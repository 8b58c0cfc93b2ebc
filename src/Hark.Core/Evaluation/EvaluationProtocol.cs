using Hark.Datasets;

namespace Hark.Evaluation;

public enum ProtocolKind
{
    /// <summary>Score against the model's own labels: its keywords, every other word as unknown, background as silence.</summary>
    Model,

    /// <summary>
    /// The standard 12-class Speech Commands protocol: yes, no, up, down, left, right, on, off, stop, go, plus
    /// <c>_unknown_</c> for every other word and <c>_silence_</c> for background-only clips.
    /// </summary>
    Sc12,
}

/// <summary>Maps a dataset's folder labels onto the labels a model was trained with.</summary>
public sealed class EvaluationProtocol
{
    private readonly HashSet<string> _keywords;

    public ProtocolKind Kind { get; }

    /// <summary>The labels scored, in the model's order.</summary>
    public IReadOnlyList<string> ModelLabels { get; }

    private EvaluationProtocol(ProtocolKind kind, IReadOnlyList<string> modelLabels, IEnumerable<string> keywords)
    {
        Kind = kind;
        ModelLabels = modelLabels;
        _keywords = new HashSet<string>(keywords, StringComparer.OrdinalIgnoreCase);
    }

    public static EvaluationProtocol Create(ProtocolKind kind, IReadOnlyList<string> modelLabels)
    {
        var keywords = modelLabels.Where(l => l is not (Labels.Unknown or Labels.Silence)).ToList();
        if (kind == ProtocolKind.Sc12)
        {
            var missing = Labels.SpeechCommands10.Append(Labels.Unknown).Append(Labels.Silence)
                .Where(l => !modelLabels.Contains(l, StringComparer.OrdinalIgnoreCase)).ToList();
            var extra = keywords.Where(k => !Labels.SpeechCommands10.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0 || extra.Count > 0)
                throw new HarkException(
                    "the sc12 protocol needs a model trained on exactly yes,no,up,down,left,right,on,off,stop,go plus " +
                    $"{Labels.Unknown} and {Labels.Silence}; this model's labels are {string.Join(",", modelLabels)}");
        }
        return new EvaluationProtocol(kind, modelLabels, keywords);
    }

    /// <summary>
    /// The model label a clip of dataset label <paramref name="datasetLabel"/> should be predicted as, or null when
    /// the model cannot be scored on it (a word that is neither a keyword nor coverable by an unknown class).
    /// </summary>
    public string? TargetFor(string datasetLabel)
    {
        if (_keywords.Contains(datasetLabel))
            return ModelLabels.First(l => string.Equals(l, datasetLabel, StringComparison.OrdinalIgnoreCase));
        if (datasetLabel == Labels.Silence)
            return ModelLabels.Contains(Labels.Silence) ? Labels.Silence : null;
        return ModelLabels.Contains(Labels.Unknown) ? Labels.Unknown : null;
    }
}
