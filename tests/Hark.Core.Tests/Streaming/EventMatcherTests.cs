using Hark.Streaming;

namespace Hark.Tests.Streaming;

public class EventMatcherTests
{
    private const int Rate = 16000;
    private static readonly string[] Keywords = ["yes", "no"];

    private static DetectionEvent At(string label, double seconds) =>
        new(label == "yes" ? 0 : 1, label, (long)Math.Round(seconds * Rate), 220);

    private static StreamScore Match(IReadOnlyList<TruthWord> truth, IReadOnlyList<DetectionEvent> events, IReadOnlyList<TruthWord>? distractors = null,
        double tolerance = 1.0, double hours = 0.5) =>
        EventMatcher.Match(truth, distractors ?? [], events, Rate, hours, tolerance, Keywords);

    [Fact]
    public void Hits_duplicates_wrong_labels_distractors_and_background_are_told_apart()
    {
        TruthWord[] truth = [new("yes", 10, 10.5), new("no", 20, 20.6), new("yes", 30, 30.4)];
        TruthWord[] distractors = [new("up", 40, 40.5)];
        var score = Match(truth, [
            At("yes", 11.0),  // hit
            At("yes", 11.4),  // the same word again
            At("yes", 20.8),  // wrong label at the "no"
            At("no", 40.9),   // at a distractor
            At("no", 50.0),   // in the background
            At("yes", 30.2),  // hit, before the word's end: the window already holds most of it
        ], distractors);

        // Judged (and listed) in time order.
        Assert.Equal([DetectionOutcome.Hit, DetectionOutcome.Duplicate, DetectionOutcome.WrongLabel, DetectionOutcome.Hit,
                      DetectionOutcome.Distractor, DetectionOutcome.Background], score.Detections.Select(d => d.Outcome).ToArray());
        Assert.Equal(3, score.Truths);
        Assert.Equal(2, score.Hits);
        Assert.Equal(2 / 3.0, score.Recall!.Value, 9);
        Assert.Equal(4, score.FalseAlarms);
        Assert.Equal(8, score.FalseAlarmsPerHour, 9);
        Assert.Equal([1], score.Missed);

        var yes = score.For("yes")!;
        Assert.Equal((2, 2, 1.0, 2, 4.0, 1, 1, 0, 0), (yes.Truths, yes.Hits, yes.Recall!.Value, yes.FalseAlarms, yes.FalseAlarmsPerHour, yes.Duplicates, yes.WrongLabel, yes.AtDistractors, yes.InBackground));
        var no = score.For("no")!;
        Assert.Equal((1, 0, 0.0, 2, 0, 0, 1, 1), (no.Truths, no.Hits, no.Recall!.Value, no.FalseAlarms, no.Duplicates, no.WrongLabel, no.AtDistractors, no.InBackground));
    }

    [Theory]
    [InlineData(9.999, false)]   // before the word starts
    [InlineData(10.0, true)]     // at its start
    [InlineData(11.5, true)]     // at end + tolerance exactly
    [InlineData(11.5001, false)] // just after
    public void The_window_is_start_to_end_plus_tolerance_inclusive(double seconds, bool hit)
    {
        var score = Match([new("yes", 10, 10.5)], [new DetectionEvent(0, "yes", (long)Math.Round(seconds * Rate), 200)]);
        Assert.Equal(hit ? 1 : 0, score.Hits);
        Assert.Equal(hit ? 0 : 1, score.FalseAlarms);
    }

    [Fact]
    public void Tolerance_moves_the_late_edge()
    {
        Assert.Equal(1, Match([new("yes", 10, 10.5)], [At("yes", 12.9)], tolerance: 2.5).Hits);
        Assert.Equal(0, Match([new("yes", 10, 10.5)], [At("yes", 12.9)], tolerance: 2.0).Hits);
        Assert.Equal(0, Match([new("yes", 10, 10.5)], [At("yes", 10.6)], tolerance: 0).Hits);
    }

    [Fact]
    public void Overlapping_windows_give_each_detection_the_word_ending_first()
    {
        // With a 1 s tolerance the first word's window [10, 11.4] overlaps the second's [11, 12.3]: a detection at 11.2
        // must take the first word, so the one at 12.0 can still hit the second.
        var score = Match([new("yes", 11, 11.3), new("yes", 10, 10.4)], [At("yes", 11.2), At("yes", 12.0)]);
        Assert.Equal(2, score.Hits);
        Assert.Equal([1, 0], score.Detections.Select(d => d.Truth).ToArray());
    }

    [Fact]
    public void Events_are_judged_in_time_order_whatever_order_they_come_in()
    {
        var score = Match([new("yes", 10, 10.5)], [At("yes", 11.2), At("yes", 10.8)]);
        Assert.Equal([10.8, 11.2], score.Detections.Select(d => Math.Round(d.TimeS, 3)).ToArray());
        Assert.Equal([DetectionOutcome.Hit, DetectionOutcome.Duplicate], score.Detections.Select(d => d.Outcome).ToArray());
    }

    [Fact]
    public void A_model_keyword_the_truth_lacks_is_reported_with_its_false_alarms()
    {
        var score = EventMatcher.Match([new TruthWord("yes", 10, 10.5)], [], [new DetectionEvent(2, "up", 16000 * 10, 200)], Rate, 1, 1, ["yes", "up"]);
        var up = score.For("up")!;
        Assert.Equal(0, up.Truths);
        Assert.Null(up.Recall);
        Assert.Equal(1, up.FalseAlarms);
        Assert.Equal(DetectionOutcome.WrongLabel, score.Detections[0].Outcome);
    }
}
