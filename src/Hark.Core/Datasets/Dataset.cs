namespace Hark.Datasets;

/// <summary>A file the scanner saw but could not use, and why.</summary>
public sealed record SkippedEntry(string Path, string Reason);

/// <summary>
/// Everything <see cref="DatasetScanner"/> found under one or more roots. Clips are sorted by label, then path
/// (ordinal), so the same folders always give the same order. <see cref="ResplitRoots"/> names the roots whose
/// speakers were re-split with <see cref="SplitOptions.ResplitSalt"/> (see <see cref="DatasetScanner"/>).
/// </summary>
public sealed record Dataset(
    IReadOnlyList<string> Roots,
    IReadOnlyList<LabeledClip> Clips,
    IReadOnlyList<string> BackgroundNoise,
    IReadOnlyList<SkippedEntry> Skipped,
    IReadOnlyList<string> ResplitRoots)
{
    /// <summary>Every label with at least one clip, sorted ordinally.</summary>
    public IReadOnlyList<string> Labels { get; } =
        Clips.Select(c => c.Label).Distinct().Order(StringComparer.Ordinal).ToArray();

    public IEnumerable<LabeledClip> ClipsIn(Split split) => Clips.Where(c => c.Split == split);

    public IEnumerable<LabeledClip> ClipsOf(string label) => Clips.Where(c => c.Label == label);
}
