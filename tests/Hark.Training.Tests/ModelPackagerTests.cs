using Hark.Audio;
using Hark.Engine;
using Hark.Features;
using Hark.Tests;

namespace Hark.Training.Tests;

public class ModelPackagerTests
{
    [Theory]
    [InlineData("dscnn-s")]
    [InlineData("cnn1d")]
    public void A_trained_run_packages_into_an_int8_engine_that_agrees_with_the_float_model(string modelName)
    {
        string root = SyntheticDataset.Write(TestPaths.NewTempDir("pkg-data"), 3, 8, 3, 6);
        string run = TestPaths.NewTempDir("pkg-run");
        var data = Data.TrainingDataLoader.Load(root);
        Trainer.Train(data, root, FrontEndConfig.Default,
            new TrainingOptions { Model = modelName, Epochs = 12, BatchSize = 8, LearningRate = 0.01, Augmentation = Data.AugmentationOptions.None }, run);

        var result = ModelPackager.Build(run, data, root, calibrationClips: 20);
        Assert.Equal(Path.Combine(run, ModelPackage.FileName), result.PackagePath);
        Assert.NotNull(result.Int8TestAccuracy);
        var metrics = RunFiles.ReadJson<TrainingMetrics>(Path.Combine(run, TrainingMetrics.FileName));
        Assert.Equal(result.Int8TestAccuracy, metrics.Int8TestAccuracy);
        Assert.Equal(result.Top1Agreement, metrics.Int8Top1Agreement);
        // The float graph is the torch model: same test accuracy as training measured.
        Assert.Equal(metrics.TestAccuracy!.Value, result.FloatTestAccuracy!.Value, 6);

        // Core only from here: what `hark eval --int8` does.
        using var engine = Int8Engine.Load(run);
        using var floatModel = TrainedModel.Load(run);
        Assert.Equal(floatModel.Labels, engine.Labels);
        Assert.Equal(floatModel.FrontEnd, engine.FrontEnd);
        var frontEnd = new FrontEnd(engine.FrontEnd);
        var clips = data.Clips.Select(c => frontEnd.ComputeClip(WavReader.ReadPipeline(c.Path).Samples)).ToList();
        float[] all = clips.SelectMany(c => c).ToArray();
        float[][] int8 = engine.PredictBatch(all, clips.Count), reference = floatModel.PredictBatch(all, clips.Count);
        int agree = 0;
        double diff = 0;
        for (int i = 0; i < clips.Count; i++)
        {
            agree += ModelPackager.ArgMax(int8[i]) == ModelPackager.ArgMax(reference[i]) ? 1 : 0;
            diff += int8[i].Zip(reference[i], (a, b) => Math.Abs(a - b)).Sum() / int8[i].Length;
        }
        Assert.True(agree >= 0.95 * clips.Count, $"top-1 agreement {agree}/{clips.Count}; float {string.Join(",", reference[0])} int8 {string.Join(",", int8[0])}");
        Assert.True(diff / clips.Count < 0.03, $"mean |p_float - p_int8| {diff / clips.Count}");
        Assert.Equal(result.Stats, GraphStats.Of(engine.Graph));
        Assert.Equal(floatModel.Config.Parameters, result.Stats.Parameters + ExtraParameters(modelName));
    }

    // Batch norm (scale and shift, 2 per channel) folds into a bias (1 per channel) for each of dscnn-s's 9 convolutions.
    private static long ExtraParameters(string modelName) => modelName == "dscnn-s" ? 9 * 64 : 0;
}
