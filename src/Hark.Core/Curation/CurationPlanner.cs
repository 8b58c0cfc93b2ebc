using Hark.Datasets;

namespace Hark.Curation;

/// <summary>
/// One output clip to make: its class, split, number (unique within the class folder) and the recording it comes
/// from; a silence clip with no source is cut from the noise bank (or generated when there is none).
/// </summary>
internal sealed record PlannedClip(string Label, Split Split, int Number, LabeledClip? Source);

/// <summary>
/// Decides which source feeds each output clip. Train gets exactly <see cref="CurationOptions.PerClass"/> per class,
/// repeating sources when there are too few (the renderer makes each repeat differ). Validation and test get the
/// same class proportions the split percentages imply, but each source at most once: a duplicated test clip
/// would only flatter the score, so a class with fewer sources simply has fewer clips there.
/// </summary>
internal static class CurationPlanner
{
    private static readonly Split[] Splits = [Split.Train, Split.Validation, Split.Test];

    public static List<PlannedClip> Plan(IReadOnlyList<LabeledClip> clips, CurationOptions options, bool hasNoise)
    {
        var keywords = options.Keywords.ToHashSet(StringComparer.Ordinal);
        var plan = new List<PlannedClip>();
        foreach (string label in Labels.ForKeywords(options.Keywords))
        {
            int number = 0;
            foreach (Split split in Splits)
            {
                var sources = clips.Where(c => c.Split == split && label switch
                {
                    Labels.Silence => c.Label == Labels.Silence,
                    Labels.Unknown => c.Label != Labels.Silence && !keywords.Contains(c.Label),
                    _ => c.Label == label,
                });
                var ordered = SpreadOrder(sources, DeterministicRandom.For(options.Seed, $"order/{label}/{split}"));
                int target = Target(split, options, label == Labels.Unknown ? options.UnknownPerClass ?? options.PerClass : options.PerClass);
                if (label == Labels.Silence)
                {
                    // Real silence recordings and noise windows both count; half and half when both exist.
                    int fromClips = ordered.Count == 0 ? 0 : hasNoise ? target / 2 : target;
                    if (split != Split.Train) fromClips = Math.Min(fromClips, ordered.Count);
                    for (int i = 0; i < target; i++)
                        plan.Add(new(label, split, number++, i < fromClips ? ordered[i % ordered.Count] : null));
                    continue;
                }

                if (split == Split.Train && ordered.Count == 0) throw NoTrainingSources(label, clips);
                int count = split == Split.Train ? target : Math.Min(target, ordered.Count);
                for (int i = 0; i < count; i++)
                    plan.Add(new(label, split, number++, ordered[i % ordered.Count]));
            }
        }
        return plan;
    }

    private static int Target(Split split, CurationOptions options, int perClass)
    {
        double trainPercent = 100 - options.Split.ValidationPercent - options.Split.TestPercent;
        double percent = split switch
        {
            Split.Validation => options.Split.ValidationPercent,
            Split.Test => options.Split.TestPercent,
            _ => trainPercent,
        };
        return (int)Math.Round(perClass * percent / trainPercent);
    }

    /// <summary>
    /// Orders sources so any prefix is spread as evenly as possible: round-robin over words (in random order),
    /// and within a word round-robin over speakers, so <c>_unknown_</c> is not dominated by one big word and no
    /// class by one talkative speaker. A clip without a speaker counts as its own speaker.
    /// </summary>
    private static List<LabeledClip> SpreadOrder(IEnumerable<LabeledClip> clips, DeterministicRandom random)
    {
        var words = clips.GroupBy(c => c.Label)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(word =>
            {
                var speakers = word.GroupBy(c => c.Speaker ?? c.Path)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => g.ToList())
                    .ToList();
                foreach (var speaker in speakers) random.Shuffle(speaker);
                random.Shuffle(speakers);
                return RoundRobin(speakers);
            })
            .ToList();
        random.Shuffle(words);
        return RoundRobin(words);
    }

    private static List<T> RoundRobin<T>(List<List<T>> lists)
    {
        var result = new List<T>(lists.Sum(l => l.Count));
        int longest = lists.Count == 0 ? 0 : lists.Max(l => l.Count);
        for (int i = 0; i < longest; i++)
            foreach (var list in lists)
                if (i < list.Count) result.Add(list[i]);
        return result;
    }

    private static HarkException NoTrainingSources(string label, IReadOnlyList<LabeledClip> clips)
    {
        if (label == Labels.Unknown)
            return new HarkException(
                "no training clips of other words to draw _unknown_ from; add a --data folder with non-keyword words");
        int elsewhere = clips.Count(c => c.Label == label);
        return new HarkException(elsewhere == 0
            ? $"keyword '{label}' has no readable clips"
            : $"keyword '{label}' has no training clips: all {elsewhere} fall in validation/test (too few speakers)");
    }
}
