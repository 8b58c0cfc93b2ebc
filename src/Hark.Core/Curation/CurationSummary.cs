using Hark.Datasets;

namespace Hark.Curation;

/// <summary>The level and split settings a curated dataset was made with (part of <c>curation.json</c>).</summary>
public sealed record CurationSettings(
    double SnrDbMin, double SnrDbMax, double NoiseProbability, double WordVolume, double BackgroundVolume,
    double MaxShiftMs, double GainJitterDb, double ValidationPercent, double TestPercent, string? SplitSalt);

/// <summary>
/// What <see cref="Curator"/> made; written as <c>curation.json</c> (snake_case) in the output folder.
/// <see cref="ResplitInputs"/> are inputs whose speakers were re-split (see <see cref="DatasetScanner"/>).
/// <see cref="Counts"/> is split name ("train", "validation", "test") to label to clip count, labels in model order.
/// Contains nothing run-specific (no times, no temporary paths), so the same inputs and seed give the same bytes.
/// </summary>
public sealed record CurationSummary(
    string Format,
    IReadOnlyList<string> Labels,
    IReadOnlyList<string> Keywords,
    int Seed,
    int PerClass,
    CurationSettings Settings,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> ResplitInputs,
    IReadOnlyList<string> NoiseFiles,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts,
    IReadOnlyList<SkippedEntry> Skipped)
{
    public const string CurrentFormat = "hark-curated/1";

    public static string SplitName(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "validation",
        _ => "test",
    };
}
