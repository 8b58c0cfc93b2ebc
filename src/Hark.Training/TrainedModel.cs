using Hark.Evaluation;
using Hark.Features;
using Hark.Training.Models;
using Hark.Training.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Hark.Training;

/// <summary>
/// A trained model loaded from a run folder, for evaluation and inference (float32, CPU).
/// Inputs are front-end features laid out as <see cref="FrontEnd.ComputeClip"/> writes them: row-major
/// <c>[frames, featuresPerFrame]</c> per clip, computed with <see cref="FrontEnd"/>'s configuration.
/// Not thread-safe: use one instance per thread.
/// </summary>
/// <example>
/// <code>
/// using var model = TrainedModel.Load("runs/yes-no");
/// var frontEnd = new FrontEnd(model.FrontEnd);
/// var features = new float[model.FeatureLength];
/// frontEnd.ComputeClip(audio, features);
/// float[] p = model.PredictProbabilities(features); // p[i] is the probability of model.Labels[i]
/// </code>
/// </example>
public sealed class TrainedModel : IKeywordClassifier
{
    private readonly KwsModel _model;

    private TrainedModel(RunConfig config, FrontEndConfig frontEnd, KwsModel model)
    {
        Config = config;
        FrontEnd = frontEnd;
        _model = model;
    }

    public RunConfig Config { get; }

    /// <summary>Output order of the probabilities.</summary>
    public IReadOnlyList<string> Labels => Config.Labels;

    /// <summary>The front end the model was trained with; features must come from exactly this configuration.</summary>
    public FrontEndConfig FrontEnd { get; }

    public string ModelName => Config.Model;

    /// <summary>The network itself (eval mode), for conversion to the int8 graph.</summary>
    internal KwsModel Network => _model;

    /// <summary>The deployable float graph (batch norm folded, ReLU fused, NHWC) that quantization and export start from.</summary>
    public Engine.FloatGraph ToFloatGraph() => GraphExtractor.Extract(_model);

    /// <summary>Floats per clip: frames x features per frame.</summary>
    public int FeatureLength => Config.Frames * Config.FeaturesPerFrame;

    /// <summary>Loads <c>model.json</c> and the weights it names from <paramref name="runDir"/>.</summary>
    /// <exception cref="InputFileException">A missing or corrupt file; the message names it.</exception>
    public static TrainedModel Load(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new InputFileException(runDir, "run folder not found");
        string configPath = Path.Combine(runDir, RunConfig.FileName);
        var config = RunFiles.ReadJson<RunConfig>(configPath);
        if (config.Format != RunConfig.CurrentFormat)
            throw new InputFileException(configPath, $"format {config.Format} is not supported (expected {RunConfig.CurrentFormat})");
        if (config.Labels is null || config.Labels.Count < 2 || config.FrontEnd is null || config.Frames < 1 || config.FeaturesPerFrame < 1)
            throw new InputFileException(configPath, "incomplete run configuration (labels, front_end, frames or features_per_frame)");
        var frontEnd = FrontEndJson.FromNode(config.FrontEnd, configPath);

        string weightsPath = Path.Combine(runDir, config.WeightsFile);
        if (!File.Exists(weightsPath)) throw new InputFileException(weightsPath, "weights not found (training did not finish an epoch?)");
        TorchRuntime.EnsureLoadable();
        var model = ModelZoo.Create(config.Model, config.Frames, config.FeaturesPerFrame, config.Labels.Count);
        try
        {
            model.load(weightsPath);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or FormatException or EndOfStreamException)
        {
            model.Dispose();
            throw new InputFileException(weightsPath, $"corrupt or mismatched weights ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        model.eval();
        return new TrainedModel(config, frontEnd, model);
    }

    /// <summary>Softmax probabilities over <see cref="Labels"/> for one clip's features.</summary>
    public float[] PredictProbabilities(ReadOnlySpan<float> features) => PredictBatch(features, 1)[0];

    /// <summary>
    /// Probabilities for <paramref name="count"/> clips whose features lie back to back in
    /// <paramref name="features"/> (<c>count * FeatureLength</c> floats). Result [clip][label].
    /// </summary>
    public float[][] PredictBatch(ReadOnlySpan<float> features, int count)
    {
        if (count < 1 || features.Length != count * FeatureLength)
            throw new ArgumentException($"expected {count} x {FeatureLength} features, got {features.Length}", nameof(features));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = torch.tensor(features.ToArray(), [count, Config.Frames, Config.FeaturesPerFrame]);
        var probabilities = nn.functional.softmax(_model.forward(input), 1).data<float>().ToArray();
        var result = new float[count][];
        for (int i = 0; i < count; i++) result[i] = probabilities.AsSpan(i * Labels.Count, Labels.Count).ToArray();
        return result;
    }

    public void Dispose() => _model.Dispose();
}
