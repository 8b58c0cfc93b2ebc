using Hark.Datasets;
using Hark.Streaming;

namespace Hark.Tests.Streaming;

public class RealSpeechStreamTests
{
    [SkippableFact]
    public void A_test_split_stream_of_real_speech_holds_only_test_speakers_and_word_length_speech()
    {
        string dev = TestPaths.RequireSpeechCommandsDev();
        string output = Path.Combine(TestPaths.NewTempDir("real-stream"), "s");
        var truth = StreamBuilder.Build(new StreamBenchOptions { DataRoots = [dev], Keywords = ["yes", "no"], Minutes = 2, OutputDir = output, Splits = [Split.Test] });
        var testSpeakers = DatasetScanner.Scan(dev).ClipsIn(Split.Test).Select(c => c.Speaker).ToHashSet();
        var trainSpeakers = DatasetScanner.Scan(dev).ClipsIn(Split.Train).Select(c => c.Speaker).ToHashSet();

        Assert.Equal(12, truth.Keywords.Count);
        Assert.All(truth.Keywords.Concat(truth.Distractors), w =>
        {
            Assert.Contains(w.Speaker, testSpeakers);
            Assert.DoesNotContain(w.Speaker, trainSpeakers);
            // A spoken word, not its padded second and not a click.
            Assert.InRange(w.EndS - w.StartS, 0.1, 1.0);
        });
        Assert.Equal(6, truth.NoiseRecordings.Count);
        Assert.Contains(truth.Distractors, d => d.Label is not ("yes" or "no" or "_silence_"));
    }
}
