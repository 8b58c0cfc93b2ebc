using Hark.Training.Data;
using Hark.Training.Models;

namespace Hark.Training;

/// <summary>
/// Everything that decides a training run's outcome besides the data. Defaults suit DS-CNN-S on a few thousand
/// one-second clips. Stored in the run's <c>model.json</c>; a resumed run uses the stored values.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>One of <see cref="ModelZoo.Names"/>.</summary>
    public string Model { get; init; } = DsCnn.Name;

    /// <summary>Upper bound on epochs; early stopping may end sooner.</summary>
    public int Epochs { get; init; } = 30;

    public int BatchSize { get; init; } = 100;

    /// <summary>Peak Adam learning rate, reached after <see cref="WarmupEpochs"/> and then cosine-decayed to 1% of it.</summary>
    public double LearningRate { get; init; } = 3e-3;

    public double WarmupEpochs { get; init; } = 1;

    /// <summary>Stop after this many epochs without a better validation accuracy (0: never stop early).</summary>
    public int Patience { get; init; } = 8;

    public int Seed { get; init; } = 1;

    /// <summary>Threads for libtorch and feature computation; fixed so results do not depend on the machine.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Draw each epoch's training clips so that every label is equally frequent.</summary>
    public bool BalanceClasses { get; init; } = true;

    /// <summary>
    /// Label smoothing of the training loss: the target puts 1 - s on the true class and spreads s over all classes.
    /// Keeps the network from growing over-confident on synthetic voices it can tell apart too easily.
    /// </summary>
    public double LabelSmoothing { get; init; } = 0.1;

    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>
    /// A finished run whose best weights start this one (same model, labels and front end): fine-tuning, e.g. a
    /// model trained on synthetic voices continued on a few real ones. Null: random initialization.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>Every invalid setting, so one error can list them all.</summary>
    public IEnumerable<string> Errors()
    {
        if (!ModelZoo.Names.Contains(Model)) yield return $"unknown model '{Model}' (choose {string.Join(", ", ModelZoo.Names)})";
        if (Epochs < 1) yield return "epochs must be at least 1";
        if (BatchSize < 2) yield return "batch size must be at least 2 (batch norm needs two clips)";
        if (LearningRate is <= 0 or > 1) yield return "learning rate must be in (0, 1]";
        if (WarmupEpochs < 0) yield return "warm-up epochs must not be negative";
        if (Patience < 0) yield return "patience must not be negative";
        if (Threads < 1) yield return "threads must be at least 1";
        if (LabelSmoothing is < 0 or >= 1 || double.IsNaN(LabelSmoothing)) yield return "label smoothing must be in [0, 1)";
        foreach (string error in Augmentation.Errors()) yield return error;
    }

    public void Validate()
    {
        var errors = Errors().ToList();
        if (errors.Count > 0) throw new HarkException($"invalid training settings: {string.Join("; ", errors)}");
    }
}
