using Hark.Features;

namespace Hark.Evaluation;

/// <summary>
/// Anything that scores one clip's features: the float model from training, or the int8 engine that every
/// deployment is checked against. Evaluation and detection depend only on this.
/// </summary>
public interface IKeywordClassifier : IDisposable
{
    /// <summary>Output order of the scores.</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>The front end the model was trained with; features must come from exactly this configuration.</summary>
    FrontEndConfig FrontEnd { get; }

    /// <summary>
    /// Probabilities over <see cref="Labels"/> for <paramref name="count"/> clips whose features lie back to back
    /// (row-major [frame, feature] each, as <see cref="Features.FrontEnd.ComputeClip(ReadOnlySpan{float}, Span{float})"/>
    /// writes them). Result [clip][label].
    /// </summary>
    float[][] PredictBatch(ReadOnlySpan<float> features, int count);
}
