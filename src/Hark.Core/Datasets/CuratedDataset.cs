using System.Text.Json;

namespace Hark.Datasets;

/// <summary>
/// A dataset made by <c>hark curate</c>. Its layout is Speech Commands' own, so any tool (and
/// <see cref="DatasetScanner"/>) reads it, and the splits round-trip through the list files:
/// <code>
/// OUT/&lt;label&gt;/&lt;speaker&gt;_nohash_&lt;n&gt;.wav   (clip-&lt;n&gt;.wav when the source had no speaker)
/// OUT/validation_list.txt                 label/file.wav per line (every validation clip)
/// OUT/testing_list.txt                    label/file.wav per line (every test clip); all others are train
/// OUT/manifest.csv                        one row per clip: path,label,split,source,speaker,gain,snr_db,noise_file,noise_offset
/// OUT/curation.json                       settings, labels in model order, seed, counts per split and class, skipped inputs
/// </code>
/// Every clip is 1 s of 16 kHz mono 16-bit PCM. Labels are the keywords in the order given, then
/// <c>_unknown_</c>, then <c>_silence_</c> (<see cref="Labels.ForKeywords"/>).
/// </summary>
public sealed record CuratedDataset(string Directory, IReadOnlyList<string> Labels, IReadOnlyList<LabeledClip> Clips)
{
    public const string ManifestFile = "manifest.csv";
    public const string InfoFile = "curation.json";

    public IEnumerable<LabeledClip> ClipsIn(Split split) => Clips.Where(c => c.Split == split);

    /// <summary>Index of a clip's label in <see cref="Labels"/>: the class index a model is trained on.</summary>
    public int ClassIndex(LabeledClip clip)
    {
        for (int i = 0; i < Labels.Count; i++)
            if (Labels[i] == clip.Label) return i;
        throw new HarkException($"{clip.Path}: label '{clip.Label}' is not one of this dataset's labels");
    }

    /// <summary>Reads a curated folder; anything missing or inconsistent is a <see cref="HarkException"/>.</summary>
    public static CuratedDataset Load(string directory)
    {
        string dir = Path.GetFullPath(directory);
        string info = Path.Combine(dir, InfoFile);
        if (!System.IO.Directory.Exists(dir)) throw new HarkException($"{dir}: curated dataset folder not found");
        if (!File.Exists(info))
            throw new HarkException($"{dir}: not a curated dataset ({InfoFile} missing; make one with hark curate)");

        var labels = ReadLabels(info);
        var dataset = DatasetScanner.Scan(dir);
        foreach (var clip in dataset.Clips)
            if (!labels.Contains(clip.Label))
                throw new HarkException($"{clip.Path}: label '{clip.Label}' is not listed in {InfoFile}");
        return new CuratedDataset(dir, labels, dataset.Clips);
    }

    private static List<string> ReadLabels(string info)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(info));
            var labels = json.RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (labels.Count == 0) throw new InputFileException(info, "lists no labels");
            return labels;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InputFileException(info, $"unreadable curation info ({e.Message})", e);
        }
    }
}
