using Hark.Audio;
using Hark.Datasets;
using Hark.Features;
using Hark.Training.Data;
using Hark.Training.Models;
using Hark.Training.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training;

/// <summary>How far training is: a stage name, the overall fraction done, and the epoch just finished if any.</summary>
public sealed record TrainingProgress(string Stage, double Fraction, EpochResult? CompletedEpoch = null);

/// <summary>
/// Trains a model into a run folder: <c>model.json</c> (the one configuration file), <c>weights.dat</c> (the best
/// weights so far, TorchSharp format), <c>checkpoint.dat</c> (last epoch: model, optimizer and trainer state)
/// and <c>metrics.json</c>. Deterministic for a given seed and thread count; a resumed run continues exactly
/// as if it had not stopped, because every random stream is derived from (seed, epoch) and the optimizer state is
/// checkpointed. libtorch's random generator is process-wide, so run one training per process at a time.
/// </summary>
public static class Trainer
{
    /// <summary>Starts a new run in <paramref name="runDir"/> (created if missing; the caller guards against overwriting).</summary>
    public static TrainingMetrics Train(ITrainingData data, string dataRoot, FrontEndConfig frontEnd, TrainingOptions options,
        string runDir, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        using var session = new TrainingSession(data, dataRoot, frontEnd, options, runDir, progress);
        // Only now that every clip has loaded: a bad input leaves no run folder behind.
        Directory.CreateDirectory(runDir);
        session.WriteConfig();
        return session.Run(cancellationToken);
    }

    /// <summary>
    /// Continues the run in <paramref name="runDir"/> from its last checkpoint with its stored settings;
    /// <paramref name="epochs"/> may raise the epoch limit.
    /// </summary>
    /// <exception cref="HarkException">No checkpoint, or the data changed since the run started.</exception>
    public static TrainingMetrics Resume(ITrainingData data, string dataRoot, string runDir, int? epochs = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string configPath = Path.Combine(runDir, RunConfig.FileName);
        var config = RunFiles.ReadJson<RunConfig>(configPath);
        var options = WithPreviousDefaults(config.Training, configPath);
        if (epochs is { } e) options = options with { Epochs = e };
        options.Validate();
        var frontEnd = FrontEndJson.FromNode(config.FrontEnd, configPath);
        using var session = new TrainingSession(data, dataRoot, frontEnd, options, runDir, progress);
        if (session.Fingerprint != config.Data.Fingerprint)
            throw new HarkException($"{dataRoot}: the data differs from the data this run started with (fingerprint {config.Data.Fingerprint[..12]}); start a new run instead of --resume");
        if (!session.Labels.SequenceEqual(config.Labels))
            throw new HarkException($"{configPath}: labels {string.Join(",", config.Labels)} differ from the data's {string.Join(",", session.Labels)}");
        session.LoadCheckpoint();
        if (epochs is not null) session.WriteConfig();
        return session.Run(cancellationToken);
    }

    /// <summary>
    /// Settings added after a run was started are absent from its <c>model.json</c>; such a run resumes with the
    /// values it was trained with (off), not with today's defaults.
    /// </summary>
    private static TrainingOptions WithPreviousDefaults(TrainingOptions options, string configPath)
    {
        var training = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))?["training"];
        var augmentation = training?["augmentation"];
        if (training?["label_smoothing"] is null) options = options with { LabelSmoothing = 0 };
        if (augmentation is not null && augmentation["channel_probability"] is null)
            options = options with { Augmentation = options.Augmentation with { ChannelProbability = 0, ClipProbability = 0 } };
        return options;
    }
}

/// <summary>The state of one training run; owns the model, optimizer and the in-memory clips.</summary>
internal sealed class TrainingSession : IDisposable
{
    private const double FinalLearningRateFraction = 0.01;
    private const int EvaluationBatch = 256;
    private const string CheckpointMagic = "HARK-CHECKPOINT-1";

    private readonly TrainingOptions _options;
    private readonly FrontEndConfig _frontEnd;
    private readonly string _runDir, _dataRoot;
    private readonly IProgress<TrainingProgress>? _progress;
    private readonly KwsModel _model;
    private readonly Adam _optimizer;
    private readonly ClipSet _train, _validation;
    private readonly ClipSet? _test;
    private readonly Augmenter _augmenter;
    private CheckpointState _state = new(0, [], 0, -1, double.PositiveInfinity, 0, false);

    public TrainingSession(ITrainingData data, string dataRoot, FrontEndConfig frontEnd, TrainingOptions options,
        string runDir, IProgress<TrainingProgress>? progress)
    {
        _options = options;
        _frontEnd = frontEnd;
        _runDir = runDir;
        _dataRoot = dataRoot;
        _progress = progress;
        Labels = data.Labels;
        TorchRuntime.EnsureLoadable(options.Threads);

        var bySplit = data.Clips.ToLookup(c => c.Split);
        if (!bySplit[Split.Train].Any()) throw new InputFileException(dataRoot, "no training clips");
        if (!bySplit[Split.Validation].Any())
            throw new InputFileException(dataRoot, "no validation clips (add validation_list.txt or more speakers)");
        Fingerprint = TrainingData.Fingerprint(data, dataRoot);

        _progress?.Report(new TrainingProgress("loading audio", 0));
        _train = new ClipSet([.. bySplit[Split.Train]], Labels, frontEnd, options.Threads);
        _validation = new ClipSet([.. bySplit[Split.Validation]], Labels, frontEnd, options.Threads);
        _test = bySplit[Split.Test].Any() ? new ClipSet([.. bySplit[Split.Test]], Labels, frontEnd, options.Threads) : null;
        var noise = data.NoiseFiles.Select(f => WavReader.ReadPipeline(f).Samples).ToList();
        _augmenter = new Augmenter(options.Augmentation, noise, frontEnd.SampleRate);

        torch.manual_seed(TorchSeed("init", 0));
        _model = ModelZoo.Create(options.Model, _train.Frames, _train.FeaturesPerFrame, Labels.Count);
        if (options.InitFrom is not null) InitializeFrom(options.InitFrom);
        _optimizer = optim.Adam(_model.parameters(), options.LearningRate);
    }

    public IReadOnlyList<string> Labels { get; }
    public string Fingerprint { get; }

    private int StepsPerEpoch => Math.Max(1, _train.Count / _options.BatchSize + (_train.Count % _options.BatchSize >= 2 ? 1 : 0));

    public void WriteConfig() => RunFiles.WriteJson(Path.Combine(_runDir, RunConfig.FileName), new RunConfig
    {
        Model = _options.Model,
        Labels = Labels,
        Frames = _train.Frames,
        FeaturesPerFrame = _train.FeaturesPerFrame,
        Parameters = _model.ParameterCount,
        Macs = _model.CountMacs(),
        FrontEnd = FrontEndJson.ToNode(_frontEnd),
        Training = _options,
        Data = new DataSummary(Path.GetFullPath(_dataRoot), Fingerprint, _train.Count, _validation.Count, _test?.Count ?? 0),
    });

    public TrainingMetrics Run(CancellationToken cancellationToken)
    {
        var epochFeatures = new float[_train.Count * _train.FeatureLength];
        var epochTargets = new long[_train.Count];
        using var validationX = FeatureTensor(_validation.CleanFeatures, _validation.Count);
        using var validationY = torch.tensor(_validation.Targets);

        while (!_state.Stopped && _state.EpochsDone < _options.Epochs)
        {
            int epoch = _state.EpochsDone + 1;
            var started = System.Diagnostics.Stopwatch.StartNew();
            Report("features", epoch, 0);
            var order = EpochOrder(epoch);
            _train.ComputeAugmented(order, _augmenter, DeterministicRandom.For(_options.Seed, "augment").Derive(epoch), epochFeatures);
            for (int p = 0; p < order.Count; p++) epochTargets[p] = _train.Targets[order[p]];

            var (trainLoss, trainAccuracy, learningRate) = TrainEpoch(epoch, epochFeatures, epochTargets, cancellationToken);
            var (validationLoss, validationAccuracy) = Evaluate(validationX, validationY, null);
            var result = new EpochResult(epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, started.Elapsed.TotalSeconds);

            bool improved = validationAccuracy > _state.BestAccuracy
                || (validationAccuracy == _state.BestAccuracy && validationLoss < _state.BestLoss);
            if (improved) RunFiles.WriteAtomically(Path.Combine(_runDir, RunFiles.WeightsFile), s => _model.save(s));
            int stale = improved ? 0 : _state.EpochsWithoutImprovement + 1;
            _state = new CheckpointState(epoch, [.. _state.History, result],
                improved ? epoch : _state.BestEpoch,
                improved ? validationAccuracy : _state.BestAccuracy,
                improved ? validationLoss : _state.BestLoss,
                stale,
                _options.Patience > 0 && stale >= _options.Patience);
            SaveCheckpoint();
            WriteMetrics(null, null);
            _progress?.Report(new TrainingProgress($"epoch {epoch}/{_options.Epochs}", (double)epoch / _options.Epochs, result));
        }

        _progress?.Report(new TrainingProgress("testing", 1));
        LoadWeights(Path.Combine(_runDir, RunFiles.WeightsFile));
        if (_test is null) return WriteMetrics(null, null);
        var confusion = Enumerable.Range(0, Labels.Count).Select(_ => new int[Labels.Count]).ToArray();
        using var testX = FeatureTensor(_test.CleanFeatures, _test.Count);
        using var testY = torch.tensor(_test.Targets);
        var (_, testAccuracy) = Evaluate(testX, testY, confusion);
        return WriteMetrics(testAccuracy, confusion);
    }

    private (double Loss, double Accuracy, double LearningRate) TrainEpoch(int epoch, float[] features, long[] targets, CancellationToken cancellationToken)
    {
        _model.train();
        torch.manual_seed(TorchSeed("dropout", epoch));
        using var x = FeatureTensor(features, _train.Count);
        using var y = torch.tensor(targets);
        double lossSum = 0, learningRate = 0;
        long correct = 0, seen = 0;
        for (int step = 0; step < StepsPerEpoch; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = step * _options.BatchSize;
            int count = Math.Min(_options.BatchSize, _train.Count - start);
            learningRate = LearningRateAt((epoch - 1) * StepsPerEpoch + step);
            foreach (var group in _optimizer.ParamGroups) group.LearningRate = learningRate;

            using var scope = torch.NewDisposeScope();
            var batchX = x.narrow(0, start, count);
            var batchY = y.narrow(0, start, count);
            _optimizer.zero_grad();
            var logits = _model.forward(batchX);
            var loss = nn.functional.cross_entropy(logits, batchY, label_smoothing: _options.LabelSmoothing);
            loss.backward();
            _optimizer.step();
            lossSum += loss.item<float>() * count;
            correct += logits.argmax(1).eq(batchY).sum().item<long>();
            seen += count;
            if (step % 10 == 0) Report("training", epoch, (double)step / StepsPerEpoch);
        }
        return (lossSum / seen, (double)correct / seen, learningRate);
    }

    /// <summary>Mean loss and accuracy; adds [true][predicted] counts to <paramref name="confusion"/> if given.</summary>
    private (double Loss, double Accuracy) Evaluate(Tensor x, Tensor y, int[][]? confusion)
    {
        _model.eval();
        using var noGrad = torch.no_grad();
        long count = x.shape[0];
        double lossSum = 0;
        long correct = 0;
        for (long start = 0; start < count; start += EvaluationBatch)
        {
            using var scope = torch.NewDisposeScope();
            long n = Math.Min(EvaluationBatch, count - start);
            var batchY = y.narrow(0, start, n);
            var logits = _model.forward(x.narrow(0, start, n));
            lossSum += nn.functional.cross_entropy(logits, batchY, reduction: nn.Reduction.Sum).item<float>();
            var predicted = logits.argmax(1);
            correct += predicted.eq(batchY).sum().item<long>();
            if (confusion is null) continue;
            var truth = batchY.data<long>().ToArray();
            var guess = predicted.data<long>().ToArray();
            for (int i = 0; i < truth.Length; i++) confusion[truth[i]][guess[i]]++;
        }
        return (lossSum / count, (double)correct / count);
    }

    /// <summary>Linear warm-up to the peak, then cosine decay to 1% of it at the last step.</summary>
    private double LearningRateAt(int step)
    {
        double peak = _options.LearningRate, floor = peak * FinalLearningRateFraction;
        int total = _options.Epochs * StepsPerEpoch;
        int warmup = Math.Min(total - 1, (int)Math.Round(_options.WarmupEpochs * StepsPerEpoch));
        if (step < warmup) return peak * (step + 1) / warmup;
        double progress = (double)(step - warmup) / Math.Max(1, total - 1 - warmup);
        return floor + (peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, progress)));
    }

    /// <summary>
    /// This epoch's training clip order. Balanced: every label contributes the same number of draws (cycling
    /// through a shuffled list of its clips), for about as many draws in total as there are training clips.
    /// </summary>
    private List<int> EpochOrder(int epoch)
    {
        var random = DeterministicRandom.For(_options.Seed, "order").Derive(epoch);
        var order = new List<int>(_train.Count);
        if (!_options.BalanceClasses)
        {
            order.AddRange(Enumerable.Range(0, _train.Count));
        }
        else
        {
            var byLabel = Enumerable.Range(0, _train.Count).GroupBy(i => _train.Targets[i]).OrderBy(g => g.Key)
                .Select(g => g.ToList()).ToList();
            int perLabel = _train.Count / byLabel.Count;
            foreach (var clips in byLabel)
            {
                var cycle = new List<int>(clips);
                for (int drawn = 0; drawn < perLabel; drawn++)
                {
                    if (drawn % cycle.Count == 0) random.Shuffle(cycle);
                    order.Add(cycle[drawn % cycle.Count]);
                }
            }
            // Integer division leaves a few draws over; fill them from the whole set so the count stays fixed.
            while (order.Count < _train.Count) order.Add(random.NextInt(0, _train.Count));
        }
        random.Shuffle(order);
        return order;
    }

    private long TorchSeed(string purpose, int epoch) =>
        (long)(DeterministicRandom.For(_options.Seed, $"torch-{purpose}").Derive(epoch).NextUInt64() >> 1);

    private Tensor FeatureTensor(float[] features, int count) =>
        count * _train.FeatureLength == features.Length
            ? torch.tensor(features, [count, _train.Frames, _train.FeaturesPerFrame])
            : throw new InvalidOperationException("feature buffer does not match the clip count");

    private void Report(string stage, int epoch, double withinEpoch) =>
        _progress?.Report(new TrainingProgress($"epoch {epoch}/{_options.Epochs} {stage}", (epoch - 1 + withinEpoch) / _options.Epochs));

    private TrainingMetrics WriteMetrics(double? testAccuracy, int[][]? confusion)
    {
        var metrics = new TrainingMetrics
        {
            Labels = Labels,
            History = _state.History,
            BestEpoch = _state.BestEpoch,
            BestValidationAccuracy = Math.Max(0, _state.BestAccuracy),
            StoppedEarly = _state.Stopped,
            TestAccuracy = testAccuracy,
            TestConfusion = confusion,
        };
        RunFiles.WriteJson(Path.Combine(_runDir, TrainingMetrics.FileName), metrics);
        return metrics;
    }

    private void SaveCheckpoint() => RunFiles.WriteAtomically(Path.Combine(_runDir, RunFiles.CheckpointFile), stream =>
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(CheckpointMagic);
        writer.Write(System.Text.Json.JsonSerializer.Serialize(_state, RunFiles.Json));
        _model.save(writer);
        _optimizer.save_state_dict(writer);
    });

    public void LoadCheckpoint()
    {
        string path = Path.Combine(_runDir, RunFiles.CheckpointFile);
        if (!File.Exists(path)) throw new InputFileException(path, "no checkpoint to resume from (the run has not finished an epoch)");
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadString() != CheckpointMagic) throw new InputFileException(path, "not a Hark checkpoint");
            _state = System.Text.Json.JsonSerializer.Deserialize<CheckpointState>(reader.ReadString(), RunFiles.Json)
                ?? throw new InputFileException(path, "empty checkpoint state");
            _model.load(reader);
            _optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            throw new InputFileException(path, $"corrupt checkpoint ({e.Message})", e);
        }
    }

    /// <summary>Starts from another run's best weights, refusing a run whose network or inputs differ.</summary>
    private void InitializeFrom(string run)
    {
        string configPath = Path.Combine(run, RunConfig.FileName);
        if (!File.Exists(configPath)) throw new InputFileException(run, "no run to initialize from (model.json missing)");
        var config = RunFiles.ReadJson<RunConfig>(configPath);
        var problems = new List<string>();
        if (config.Model != _options.Model) problems.Add($"model {config.Model}, not {_options.Model}");
        if (!config.Labels.SequenceEqual(Labels)) problems.Add($"labels {string.Join(",", config.Labels)}, not {string.Join(",", Labels)}");
        if (config.Frames != _train.Frames || config.FeaturesPerFrame != _train.FeaturesPerFrame
            || !System.Text.Json.Nodes.JsonNode.DeepEquals(config.FrontEnd, FrontEndJson.ToNode(_frontEnd)))
            problems.Add("a different front end");
        if (problems.Count > 0) throw new InputFileException(run, $"cannot initialize from this run: it has {string.Join("; ", problems)}");
        LoadWeights(Path.Combine(run, config.WeightsFile));
    }

    private void LoadWeights(string path)
    {
        try { _model.load(path); }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            throw new InputFileException(path, $"corrupt weights ({e.Message})", e);
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
    }
}

/// <summary>What a checkpoint holds besides tensors.</summary>
internal sealed record CheckpointState(
    int EpochsDone, IReadOnlyList<EpochResult> History, int BestEpoch, double BestAccuracy, double BestLoss,
    int EpochsWithoutImprovement, bool Stopped);
