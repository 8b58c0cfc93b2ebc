using Hark.Tests;

namespace Hark.Training.Tests;

public class TrainedModelTests
{
    private static string TrainedRun()
    {
        string root = SyntheticDataset.Write(TestPaths.NewTempDir("tm-data"), 2, 6, 2, 2);
        string run = TestPaths.NewTempDir("tm-run");
        Trainer.Train(Data.TrainingDataLoader.Load(root), root, Features.FrontEndConfig.Default,
            new TrainingOptions { Model = Training.Models.Cnn1d.Name, Epochs = 1, BatchSize = 4 }, run);
        return run;
    }

    [Fact]
    public void Load_names_the_missing_or_corrupt_file()
    {
        string run = TrainedRun();
        string config = Path.Combine(run, RunConfig.FileName), weights = Path.Combine(run, RunFiles.WeightsFile);
        using (var model = TrainedModel.Load(run))
        {
            Assert.Equal(2, model.Labels.Count);
            float[][] batch = model.PredictBatch(new float[2 * model.FeatureLength], 2);
            Assert.All(batch, p => Assert.Equal(1f, p.Sum(), 4));
            Assert.Throws<ArgumentException>(() => model.PredictProbabilities(new float[3]));
        }

        byte[] goodWeights = File.ReadAllBytes(weights);
        File.WriteAllBytes(weights, goodWeights[..(goodWeights.Length / 2)]);
        Assert.StartsWith($"{weights}: corrupt", Assert.Throws<InputFileException>(() => TrainedModel.Load(run)).Message);
        File.Delete(weights);
        Assert.StartsWith($"{weights}: weights not found", Assert.Throws<InputFileException>(() => TrainedModel.Load(run)).Message);
        File.WriteAllBytes(weights, goodWeights);

        string goodConfig = File.ReadAllText(config);
        File.WriteAllText(config, goodConfig[..(goodConfig.Length / 2)]);
        Assert.StartsWith($"{config}: corrupt JSON", Assert.Throws<InputFileException>(() => TrainedModel.Load(run)).Message);
        File.WriteAllText(config, goodConfig.Replace("\"format\": 1", "\"format\": 99"));
        Assert.Contains("format 99", Assert.Throws<InputFileException>(() => TrainedModel.Load(run)).Message);
        File.Delete(config);
        Assert.StartsWith($"{config}: not found", Assert.Throws<InputFileException>(() => TrainedModel.Load(run)).Message);
        string missingRun = Path.Combine(run, "nope");
        Assert.StartsWith($"{missingRun}: run folder not found", Assert.Throws<InputFileException>(() => TrainedModel.Load(missingRun)).Message);
    }
}
