using System.Security.Cryptography;
using System.Text;
using Hark.Datasets;

namespace Hark.Training.Data;

/// <summary>
/// What the trainer needs from a dataset: the model's label order, every clip with its split, and optional
/// long background recordings for noise mixing. The data helper's scanner and curated sets plug in here.
/// </summary>
public interface ITrainingData
{
    /// <summary>The model's output order; every clip's label is one of these.</summary>
    IReadOnlyList<string> Labels { get; }

    IReadOnlyList<LabeledClip> Clips { get; }

    /// <summary>Long recordings of background noise (WAV paths) mixed into training clips; may be empty.</summary>
    IReadOnlyList<string> NoiseFiles { get; }
}

/// <summary>A plain <see cref="ITrainingData"/>.</summary>
public sealed record TrainingData(IReadOnlyList<string> Labels, IReadOnlyList<LabeledClip> Clips, IReadOnlyList<string> NoiseFiles)
    : ITrainingData
{
    /// <summary>
    /// A stable identity of the clip list: SHA-256 over labels and each clip's label, split, relative path and
    /// size. Resuming a run on changed data is refused by comparing this.
    /// </summary>
    public static string Fingerprint(ITrainingData data, string root)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => sha.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        foreach (string label in data.Labels) Add(label);
        foreach (var clip in data.Clips.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            long size = File.Exists(clip.Path) ? new FileInfo(clip.Path).Length : -1;
            Add($"{clip.Label}\t{clip.Split}\t{Path.GetRelativePath(root, clip.Path).Replace('\\', '/')}\t{size}");
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

/// <summary>
/// Turns a dataset folder into training data. A curated folder (<c>hark curate</c>) brings its own label order
/// and splits; any other supported layout is read by <see cref="DatasetScanner"/>, with keyword folders first
/// (ordinal), then <c>_unknown_</c> and <c>_silence_</c>, and its <c>_background_noise_</c> recordings for mixing.
/// </summary>
public static class TrainingDataLoader
{
    /// <exception cref="HarkException">The folder is missing, empty or not in a supported layout.</exception>
    public static TrainingData Load(string root)
    {
        if (!Directory.Exists(root)) throw new InputFileException(root, "data folder not found");
        if (File.Exists(Path.Combine(root, CuratedDataset.InfoFile)))
        {
            var curated = CuratedDataset.Load(root);
            return new TrainingData(curated.Labels, curated.Clips, []);
        }

        var dataset = DatasetScanner.Scan(root);
        if (dataset.Labels.Count < 2)
            throw new InputFileException(root, $"expected at least two label folders of .wav files, found {dataset.Labels.Count}");
        var special = new[] { Labels.Unknown, Labels.Silence };
        var labels = dataset.Labels.Where(l => !special.Contains(l))
            .Concat(special.Where(dataset.Labels.Contains)).ToList();
        return new TrainingData(labels, dataset.Clips, dataset.BackgroundNoise);
    }
}
