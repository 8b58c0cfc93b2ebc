using Hark.Tests;
using Hark.Training.Data;
using Hark.Training.Models;

namespace Hark.Training.Tests;

public class TrainingTests
{
    private static readonly TrainingOptions Quick = new()
    {
        Model = DsCnn.Name, Epochs = 3, BatchSize = 16, LearningRate = 3e-3, Patience = 0, Seed = 5, Threads = 2,
    };

    private static (TrainingData Data, string Root) Tones(int trainPerClass = 24, bool noise = false)
    {
        string root = SyntheticDataset.Write(TestPaths.NewTempDir("tones"), 3, trainPerClass, 8, 8, withNoiseFolder: noise);
        return (TrainingDataLoader.Load(root), root);
    }

    [Fact]
    public void Training_on_separable_tones_reaches_high_test_accuracy_and_writes_the_run()
    {
        var (data, root) = Tones(40, noise: true);
        string run = TestPaths.NewTempDir("run");
        var epochs = new List<EpochResult>();
        var metrics = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 8 }, run,
            new Progress(p => { if (p.CompletedEpoch is { } e) epochs.Add(e); }));

        Assert.True(metrics.TestAccuracy > 0.9, $"test accuracy {metrics.TestAccuracy}");
        Assert.Equal(8, metrics.History.Count);
        Assert.Equal(metrics.History, epochs);
        Assert.Equal(metrics.History.Max(h => h.ValidationAccuracy), metrics.BestValidationAccuracy);
        Assert.Equal(24, metrics.TestConfusion!.Sum(row => row.Sum()));
        foreach (string file in new[] { RunConfig.FileName, RunFiles.WeightsFile, RunFiles.CheckpointFile, TrainingMetrics.FileName })
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));

        using var model = TrainedModel.Load(run);
        Assert.Equal(["tone0", "tone1", "tone2"], model.Labels);
        var frontEnd = new Features.FrontEnd(model.FrontEnd);
        var features = new float[model.FeatureLength];
        int correct = 0;
        var testClips = data.Clips.Where(c => c.Split == Datasets.Split.Test).ToList();
        foreach (var clip in testClips)
        {
            frontEnd.ComputeClip(Audio.WavReader.ReadPipeline(clip.Path).Samples, features);
            float[] p = model.PredictProbabilities(features);
            Assert.Equal(1f, p.Sum(), 3);
            if (model.Labels[Array.IndexOf(p, p.Max())] == clip.Label) correct++;
        }
        Assert.Equal(metrics.TestAccuracy!.Value, (double)correct / testClips.Count, 6);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_weights_and_another_seed_does_not()
    {
        var (data, root) = Tones();
        string a = TestPaths.NewTempDir("run-a"), b = TestPaths.NewTempDir("run-b"), c = TestPaths.NewTempDir("run-c");
        var first = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick, a);
        var second = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick, b);
        Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Seed = 6 }, c);

        Assert.Equal(CheckpointTensors(a), CheckpointTensors(b));
        Assert.Equal(ReadWeights(a, RunFiles.WeightsFile), ReadWeights(b, RunFiles.WeightsFile));
        Assert.Equal(first.History.Select(h => (h.TrainLoss, h.ValidationLoss)), second.History.Select(h => (h.TrainLoss, h.ValidationLoss)));
        Assert.NotEqual(ReadWeights(a, RunFiles.WeightsFile), ReadWeights(c, RunFiles.WeightsFile));
    }

    [Fact]
    public void Resumed_training_equals_uninterrupted_training()
    {
        var (data, root) = Tones();
        string whole = TestPaths.NewTempDir("run-whole"), split = TestPaths.NewTempDir("run-split");
        var uninterrupted = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick, whole);

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick, split,
            new Progress(p => { if (p.CompletedEpoch?.Epoch == 1) cancel.Cancel(); }), cancel.Token));
        var resumed = Trainer.Resume(data, root, split);

        Assert.Equal(uninterrupted.History.Select(h => (h.Epoch, h.TrainLoss, h.TrainAccuracy, h.ValidationLoss, h.LearningRate)),
            resumed.History.Select(h => (h.Epoch, h.TrainLoss, h.TrainAccuracy, h.ValidationLoss, h.LearningRate)));
        Assert.Equal(ReadWeights(whole, RunFiles.WeightsFile), ReadWeights(split, RunFiles.WeightsFile));
        Assert.Equal(CheckpointTensors(whole), CheckpointTensors(split));
    }

    [Fact]
    public void A_run_from_before_label_smoothing_and_channel_augmentation_resumes_with_them_off()
    {
        var (data, root) = Tones();
        string run = TestPaths.NewTempDir("run");
        Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 1 }, run);
        // What an older Hark wrote: the same file without the settings that did not exist yet.
        string path = Path.Combine(run, RunConfig.FileName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var training = json["training"]!.AsObject();
        training.Remove("label_smoothing");
        foreach (string key in new[] { "channel_probability", "clip_probability" }) training["augmentation"]!.AsObject().Remove(key);
        File.WriteAllText(path, json.ToJsonString());

        Trainer.Resume(data, root, run, epochs: 2);

        var resumed = RunFiles.ReadJson<RunConfig>(path).Training;
        Assert.Equal(0, resumed.LabelSmoothing);
        Assert.Equal(0, resumed.Augmentation.ChannelProbability);
        Assert.Equal(0, resumed.Augmentation.ClipProbability);
        Assert.Equal(0.1, new TrainingOptions().LabelSmoothing);
    }

    [Fact]
    public void Resume_refuses_changed_data()
    {
        var (data, root) = Tones();
        string run = TestPaths.NewTempDir("run");
        Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 1 }, run);
        var fewer = data with { Clips = data.Clips.Skip(1).ToList() };
        var e = Assert.Throws<HarkException>(() => Trainer.Resume(fewer, root, run, epochs: 2));
        Assert.Contains("differs", e.Message);
    }

    [Fact]
    public void A_broken_clip_stops_training_with_one_error_naming_it()
    {
        var (data, root) = Tones(4);
        string broken = Path.Combine(root, "tone1", "ffffffff_nohash_0.wav");
        File.WriteAllBytes(broken, [1, 2, 3]);
        var e = Assert.Throws<Audio.WavFormatException>(() =>
            Trainer.Train(TrainingDataLoader.Load(root), root, Features.FrontEndConfig.Default, Quick, TestPaths.NewTempDir("run")));
        Assert.StartsWith(broken, e.Message);
    }

    [Fact]
    public void Invalid_settings_are_all_reported_at_once()
    {
        var e = Assert.Throws<HarkException>(() => (Quick with { Epochs = 0, BatchSize = 1, Model = "x" }).Validate());
        Assert.Contains("epochs", e.Message);
        Assert.Contains("batch size", e.Message);
        Assert.Contains("unknown model 'x'", e.Message);
    }

    [Fact]
    public void Label_smoothing_keeps_the_training_loss_above_the_entropy_of_the_smoothed_target()
    {
        var (data, root) = Tones(40);
        const double smoothing = 0.3;
        var plain = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 8, LabelSmoothing = 0 }, TestPaths.NewTempDir("run"));
        var smoothed = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 8, LabelSmoothing = smoothing },
            TestPaths.NewTempDir("run"));

        // Three classes: the target is 0.8 on the true class and 0.1 on each other one, whose entropy no model can beat.
        double truth = 1 - smoothing + smoothing / 3, other = smoothing / 3;
        double floor = -truth * Math.Log(truth) - 2 * other * Math.Log(other);
        Assert.All(smoothed.History, h => Assert.True(h.TrainLoss >= floor - 1e-4, $"epoch {h.Epoch} loss {h.TrainLoss} < {floor}"));
        Assert.True(plain.History[^1].TrainLoss < floor, $"without smoothing the loss {plain.History[^1].TrainLoss} should fall below {floor}");
        Assert.True(smoothed.TestAccuracy > 0.9, $"test accuracy {smoothed.TestAccuracy}");
        var e = Assert.Throws<HarkException>(() => (Quick with { LabelSmoothing = 1 }).Validate());
        Assert.Contains("label smoothing", e.Message);
    }

    [Fact]
    public void A_run_initialized_from_another_starts_where_that_one_ended_and_a_mismatched_run_is_refused()
    {
        var (data, root) = Tones(40);
        string trained = TestPaths.NewTempDir("run");
        var first = Trainer.Train(data, root, Features.FrontEndConfig.Default, Quick with { Epochs = 8 }, trained);
        Assert.True(first.TestAccuracy > 0.9, $"test accuracy {first.TestAccuracy}");

        // One epoch at a learning rate too small to learn anything: only the starting weights can explain the score.
        var still = Quick with { Epochs = 1, LearningRate = 1e-7, WarmupEpochs = 0 };
        var warm = Trainer.Train(data, root, Features.FrontEndConfig.Default, still with { InitFrom = trained }, TestPaths.NewTempDir("run"));
        var cold = Trainer.Train(data, root, Features.FrontEndConfig.Default, still, TestPaths.NewTempDir("run"));
        Assert.True(warm.TestAccuracy > 0.9, $"warm start test accuracy {warm.TestAccuracy}");
        Assert.True(cold.TestAccuracy < 0.7, $"cold start test accuracy {cold.TestAccuracy}");

        string otherRoot = SyntheticDataset.Write(TestPaths.NewTempDir("tones4"), 4, 12, 4, 4);
        var e = Assert.Throws<InputFileException>(() => Trainer.Train(TrainingDataLoader.Load(otherRoot), otherRoot,
            Features.FrontEndConfig.Default, still with { InitFrom = trained }, TestPaths.NewTempDir("run")));
        Assert.Contains("labels tone0,tone1,tone2, not tone0,tone1,tone2,tone3", e.Message);
    }

    private static byte[] ReadWeights(string run, string file) => File.ReadAllBytes(Path.Combine(run, file));

    /// <summary>The last epoch's model and optimizer bytes, skipping the state JSON (which holds wall-clock times).</summary>
    private static byte[] CheckpointTensors(string run)
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(run, RunFiles.CheckpointFile)));
        reader.ReadString();
        reader.ReadString();
        return reader.ReadBytes((int)(reader.BaseStream.Length - reader.BaseStream.Position));
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
