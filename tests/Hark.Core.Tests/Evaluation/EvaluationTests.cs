using Hark.Datasets;
using Hark.Evaluation;

namespace Hark.Tests.Evaluation;

public class ConfusionMatrixTests
{
    [Fact]
    public void Figures_follow_from_the_counts()
    {
        var m = new ConfusionMatrix(["yes", "no", "_unknown_"]);
        // truth yes: 3 right, 1 called no; truth no: 2 right; truth unknown: 1 called yes, 1 right
        foreach (var (t, p) in new[] { (0, 0), (0, 0), (0, 0), (0, 1), (1, 1), (1, 1), (2, 0), (2, 2) }) m.Add(t, p);

        Assert.Equal(8, m.Total);
        Assert.Equal(6.0 / 8, m.Accuracy, 12);
        Assert.Equal(3.0 / 4, m.Precision(0), 12); // 4 predicted yes, 3 right
        Assert.Equal(3.0 / 4, m.Recall(0), 12);    // 4 yes clips, 3 found
        Assert.Equal(2.0 / 3, m.Precision(1), 12);
        Assert.Equal(1.0, m.Recall(1), 12);
        Assert.Equal(4, m.Support(0));
        Assert.Equal([[3, 1, 0], [0, 2, 0], [1, 0, 1]], m.ToJagged());
    }

    [Fact]
    public void An_unpredicted_class_has_zero_precision_not_NaN()
    {
        var m = new ConfusionMatrix(["a", "b"]);
        m.Add(0, 0);
        Assert.Equal(0, m.Precision(1));
        Assert.Equal(0, m.Recall(1));
    }
}

public class EvaluationProtocolTests
{
    private static readonly string[] Sc12Labels = [.. Labels.SpeechCommands10, Labels.Unknown, Labels.Silence];

    [Fact]
    public void Model_protocol_maps_other_words_to_unknown_and_background_to_silence()
    {
        var p = EvaluationProtocol.Create(ProtocolKind.Model, Labels.ForKeywords(["yes", "no"]));
        Assert.Equal("yes", p.TargetFor("yes"));
        Assert.Equal("no", p.TargetFor("NO"));
        Assert.Equal(Labels.Unknown, p.TargetFor("marvin"));
        Assert.Equal(Labels.Unknown, p.TargetFor("up"));
        Assert.Equal(Labels.Silence, p.TargetFor(Labels.Silence));
    }

    [Fact]
    public void A_model_without_unknown_class_cannot_be_scored_on_other_words()
    {
        var p = EvaluationProtocol.Create(ProtocolKind.Model, ["yes", "no"]);
        Assert.Null(p.TargetFor("marvin"));
        Assert.Null(p.TargetFor(Labels.Silence));
    }

    [Fact]
    public void Sc12_accepts_the_standard_label_set_in_any_order()
    {
        var p = EvaluationProtocol.Create(ProtocolKind.Sc12, [.. Sc12Labels.Reverse()]);
        Assert.Equal("go", p.TargetFor("go"));
        Assert.Equal(Labels.Unknown, p.TargetFor("sheila"));
    }

    [Fact]
    public void Sc12_rejects_a_two_keyword_model_with_a_message_naming_the_labels()
    {
        var e = Assert.Throws<HarkException>(() =>
            EvaluationProtocol.Create(ProtocolKind.Sc12, Labels.ForKeywords(["yes", "no"])));
        Assert.Contains("yes,no,_unknown_,_silence_", e.Message);
    }
}

public class KeywordDetectionTests
{
    private static (int, float[]) Clip(int target, float keywordScore) => (target, [keywordScore, 1 - keywordScore]);

    [Fact]
    public void Perfectly_separated_scores_give_auc_one_and_full_recall()
    {
        var results = new[] { Clip(0, 0.9f), Clip(0, 0.8f), Clip(1, 0.2f), Clip(1, 0.1f), Clip(1, 0.3f) };
        var d = Evaluator.Detect("yes", 0, results)!;
        Assert.Equal(1, d.Auc, 9);
        Assert.Equal(1, d.RecallAtOnePercentFalseAccepts, 9);
        Assert.Equal((2, 3), (d.Positives, d.Negatives));
    }

    [Fact]
    public void Auc_counts_ordered_pairs_and_ties_as_half_and_recall_stops_at_the_highest_allowed_negative()
    {
        // Positives 0.6 and 0.4 against negatives 0.5, 0.4, 0.1: pairs won 3 + 1.5 (tie) of 6.
        var results = new[] { Clip(0, 0.6f), Clip(0, 0.4f), Clip(1, 0.5f), Clip(1, 0.4f), Clip(1, 0.1f) };
        var d = Evaluator.Detect("yes", 0, results)!;
        Assert.Equal(4.5 / 6, d.Auc, 9);
        // Fewer than 100 negatives allow no false accept: the threshold is the top negative (0.5).
        Assert.Equal(0.5, d.RecallAtOnePercentFalseAccepts, 9);

        // With 200 negatives two may be accepted: the threshold drops to the third highest.
        var many = Enumerable.Range(0, 200).Select(i => Clip(1, i / 1000f)).Append(Clip(0, 0.1985f)).Append(Clip(0, 0.1965f)).ToArray();
        var m = Evaluator.Detect("yes", 0, many)!;
        Assert.Equal(0.5, m.RecallAtOnePercentFalseAccepts, 9);
        Assert.Null(Evaluator.Detect("yes", 0, [Clip(1, 0.3f)]));
    }
}
