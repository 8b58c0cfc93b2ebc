using System.Numerics;
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
/// Minimal reader of a Speech Commands layout: one folder per label holding WAV files, an optional
/// <c>_background_noise_</c> folder, optional <c>validation_list.txt</c>/<c>testing_list.txt</c>.
/// Without the lists, clips are split by a hash of the speaker (10% validation, 10% test), so a speaker never
/// crosses splits and the split is stable as files are added.
/// </summary>
/// <remarks>
/// The hash is Speech Commands' <c>which_set</c> rule with a Hark salt. Unsalted, it reproduces the official
/// split, and a folder drawn from one official split (as the development subset here is: 1691 of 1837 clips
/// hash to "test") would leave almost nothing to train on. The full Speech Commands download ships the lists.
/// </remarks>
public static class SpeechCommandsFolder
{
    private const double ValidationPercent = 10, TestPercent = 10;
    private const long MaxClipsPerClass = (1L << 27) - 1;
    private const string SplitSalt = "hark-split-v1:";

    /// <exception cref="InputFileException">The folder is missing, empty or not in that layout.</exception>
    public static TrainingData Load(string root)
    {
        if (!Directory.Exists(root)) throw new InputFileException(root, "data folder not found");
        var labelFolders = Directory.GetDirectories(root)
            .Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.') && name != Labels.BackgroundNoiseFolder)
            .Where(name => Directory.EnumerateFiles(Path.Combine(root, name), "*.wav").Any())
            .ToList();
        if (labelFolders.Count < 2)
            throw new InputFileException(root, $"expected at least two label folders of .wav files, found {labelFolders.Count}");

        var special = new[] { Labels.Unknown, Labels.Silence };
        var labels = labelFolders.Where(l => !special.Contains(l)).Order(StringComparer.Ordinal)
            .Concat(special.Where(labelFolders.Contains)).ToList();

        var validation = ReadList(root, "validation_list.txt");
        var testing = ReadList(root, "testing_list.txt");
        bool listed = validation is not null || testing is not null;

        var clips = new List<LabeledClip>();
        foreach (string label in labels)
            foreach (string path in Directory.EnumerateFiles(Path.Combine(root, label), "*.wav").Order(StringComparer.Ordinal))
            {
                string file = Path.GetFileNameWithoutExtension(path);
                int nohash = file.IndexOf("_nohash_", StringComparison.Ordinal);
                string? speaker = nohash > 0 ? file[..nohash] : null;
                string relative = $"{label}/{Path.GetFileName(path)}";
                Split split = listed
                    ? validation?.Contains(relative) == true ? Split.Validation
                    : testing?.Contains(relative) == true ? Split.Test : Split.Train
                    : HashSplit(speaker ?? file);
                clips.Add(new LabeledClip(path, label, speaker, split));
            }

        string noiseFolder = Path.Combine(root, Labels.BackgroundNoiseFolder);
        var noise = Directory.Exists(noiseFolder)
            ? Directory.GetFiles(noiseFolder, "*.wav").Order(StringComparer.Ordinal).ToList()
            : [];
        return new TrainingData(labels, clips, noise);
    }

    /// <summary>Speech Commands' <c>which_set</c> (SHA-1 of the speaker id as a percentage), salted.</summary>
    internal static Split HashSplit(string key)
    {
        byte[] hash = SHA1.HashData(Encoding.UTF8.GetBytes(SplitSalt + key));
        var value = new BigInteger(hash, isUnsigned: true, isBigEndian: true);
        double percent = (double)(value % (MaxClipsPerClass + 1)) * (100.0 / MaxClipsPerClass);
        return percent < ValidationPercent ? Split.Validation
            : percent < ValidationPercent + TestPercent ? Split.Test : Split.Train;
    }

    private static HashSet<string>? ReadList(string root, string name)
    {
        string path = Path.Combine(root, name);
        if (!File.Exists(path)) return null;
        return File.ReadLines(path).Select(l => l.Trim().Replace('\\', '/')).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
    }
}
