namespace Hark.Datasets;

/// <summary>
/// Finds labelled clips in the folder layouts Hark supports. Each root is read as:
/// <list type="bullet">
/// <item><c>ROOT/&lt;label&gt;/*.wav</c> (extension case-insensitive, not recursive): one folder per label. This covers
/// Speech Commands v0.02, a user's own words (<c>trick_or_treat/*.wav</c>) and Hark's curated datasets.</item>
/// <item>The label is the folder name in <see cref="Labels.ToFolderName"/> form (lower case, spaces as
/// underscores), so a phrase's label is <c>trick_or_treat</c>; callers map user input with
/// <see cref="Labels.ToFolderName"/>. <c>_silence_</c> is the silence label.</item>
/// <item><c>ROOT/_background_noise_/*.wav</c>: long noise recordings, never a label.</item>
/// <item><c>ROOT/validation_list.txt</c> and <c>ROOT/testing_list.txt</c> (paths relative to the root, like
/// <c>yes/abc_nohash_0.wav</c>): when either exists, listed clips are validation/test and all others train, as in
/// Speech Commands. Without them, <see cref="SpeakerHashSplit"/> decides. If that sends every clip with a known
/// speaker in a root outside train (the root is itself one Speech Commands split, like the test-speaker dev set) and no
/// <see cref="SplitOptions.Salt"/> was given, the root is re-split with <see cref="SplitOptions.ResplitSalt"/>
/// and listed in <see cref="Dataset.ResplitRoots"/>: still speaker-disjoint, and trainable.</item>
/// </list>
/// Speakers come from <c>&lt;speaker&gt;_nohash_&lt;n&gt;.wav</c> names, else null. Several roots merge: the same
/// label in two roots is one label. Files are not opened here (the reader reports bad audio where it is used);
/// entries that cannot be placed (list entries with no file, WAVs outside a label folder) are reported in
/// <see cref="Dataset.Skipped"/>.
/// </summary>
public static class DatasetScanner
{
    public const string ValidationListFile = "validation_list.txt";
    public const string TestingListFile = "testing_list.txt";

    public static Dataset Scan(string root, SplitOptions? options = null) => Scan([root], options);

    /// <summary>Scans every root; a missing root is a <see cref="HarkException"/> naming it.</summary>
    public static Dataset Scan(IEnumerable<string> roots, SplitOptions? options = null)
    {
        options ??= SplitOptions.Default;
        options.Validate();
        var fullRoots = roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).Distinct().ToList();
        if (fullRoots.Count == 0) throw new HarkException("no dataset folder given");

        var clips = new List<LabeledClip>();
        var noise = new List<string>();
        var skipped = new List<SkippedEntry>();
        var resplit = new List<string>();
        foreach (string root in fullRoots)
        {
            var found = ScanRoot(root, options, noise, skipped);
            var spoken = found.Where(c => c.Speaker is not null).ToList();
            if (options.ResplitSingleSplitRoots && options.Salt is null && spoken.Count > 0
                && spoken.All(c => c.Split != Split.Train)
                && !HasSplitLists(root))
            {
                var salted = options with { Salt = SplitOptions.ResplitSalt };
                found = found.Select(c => c with { Split = SpeakerHashSplit.Assign(SpeakerNames.HashName(c.Path), salted) })
                    .ToList();
                resplit.Add(root);
            }
            clips.AddRange(found);
        }

        clips.Sort((a, b) => string.CompareOrdinal(a.Label, b.Label) is var c and not 0
            ? c : string.CompareOrdinal(a.Path, b.Path));
        noise.Sort(StringComparer.Ordinal);
        return new Dataset(fullRoots, clips, noise, skipped, resplit);
    }

    private static List<LabeledClip> ScanRoot(
        string root, SplitOptions options, List<string> noise, List<SkippedEntry> skipped)
    {
        var clips = new List<LabeledClip>();
        if (!Directory.Exists(root))
            throw new HarkException(File.Exists(root)
                ? $"{root}: is a file, expected a dataset folder"
                : $"{root}: dataset folder not found");

        var listed = ReadSplitLists(root, skipped);

        foreach (string file in WavFiles(root))
            skipped.Add(new SkippedEntry(file, "WAV file outside a label folder"));

        foreach (string folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            string folderName = Path.GetFileName(folder);
            if (folderName.StartsWith('.')) continue;
            if (folderName == Labels.BackgroundNoiseFolder)
            {
                noise.AddRange(WavFiles(folder));
                continue;
            }

            string label = Labels.ToFolderName(folderName);
            foreach (string file in WavFiles(folder))
            {
                string relative = $"{folderName}/{Path.GetFileName(file)}";
                Split split = listed is null
                    ? SpeakerHashSplit.Assign(SpeakerNames.HashName(file), options)
                    : listed.GetValueOrDefault(relative, Split.Train);
                listed?.Remove(relative);
                clips.Add(new LabeledClip(file, label, SpeakerNames.Parse(file), split));
            }
        }

        if (listed is not null)
            foreach (string missing in listed.Keys.Order(StringComparer.Ordinal))
                skipped.Add(new SkippedEntry(Path.Combine(root, missing), "listed in a split list but not found"));
        return clips;
    }

    private static bool HasSplitLists(string root) =>
        File.Exists(Path.Combine(root, ValidationListFile)) || File.Exists(Path.Combine(root, TestingListFile));

    /// <summary>Relative path to split for every list-file entry, or null when the root has no list files.</summary>
    private static Dictionary<string, Split>? ReadSplitLists(string root, List<SkippedEntry> skipped)
    {
        if (!HasSplitLists(root)) return null;
        string validation = Path.Combine(root, ValidationListFile), testing = Path.Combine(root, TestingListFile);

        var listed = new Dictionary<string, Split>(StringComparer.Ordinal);
        AddList(validation, Split.Validation);
        AddList(testing, Split.Test);
        return listed;

        void AddList(string path, Split split)
        {
            if (!File.Exists(path)) return;
            foreach (string line in File.ReadLines(path))
            {
                string entry = line.Trim().Replace('\\', '/');
                if (entry.Length == 0) continue;
                if (!listed.TryAdd(entry, split))
                    skipped.Add(new SkippedEntry(Path.Combine(root, entry),
                        $"listed in both split lists; kept as {listed[entry]}"));
            }
        }
    }

    private static IEnumerable<string> WavFiles(string folder) =>
        Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".wav", StringComparison.OrdinalIgnoreCase)
                        && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
}
