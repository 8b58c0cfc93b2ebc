namespace Hark.Synthesis;

/// <summary>
/// Spreads a dataset over every accent and voice variant available. Speakers are dealt round-robin over voice
/// "families" (each espeak-ng accent is one, flite counts twice because its voices are the most natural), and
/// accent <c>a</c> starts its walk through the variants <c>a * ceil(variants / accents)</c> places along, so the
/// first <c>ceil(variants / accents)</c> rounds already use every variant once. Each speaker says every word, as
/// in real recordings, so a speaker-disjoint split separates voices, not words.
/// </summary>
public static class SynthesisPlan
{
    private const int FliteShare = 2;

    // Bucket grids: coarse enough that two speakers rarely collide, fine enough to spread voices apart.
    private static readonly int[] EspeakPitches = [5, 15, 25, 35, 45, 55, 65, 75, 85, 95];
    private static readonly int[] EspeakRates = [110, 130, 150, 170, 195, 220, 250];
    private static readonly int[] FliteStretches = [75, 85, 95, 105, 115, 130];
    private static readonly int[] WarpPercents = [86, 90, 94, 97, 100, 103, 106, 110, 115];

    public static IReadOnlyList<SynthSpeaker> Speakers(VoiceCatalog catalog, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = DeterministicRandom.For(seed, "synth/speakers");
        var variants = catalog.EspeakVariants.Count > 0 ? catalog.EspeakVariants.ToList() : [null!];
        random.Shuffle(variants);
        var flite = catalog.FliteVoices.ToList();
        random.Shuffle(flite);
        int accents = catalog.EspeakAccents.Count;
        int stride = (variants.Count + accents - 1) / accents;
        int familiesPerRound = accents + FliteShare;

        var speakers = new List<SynthSpeaker>(count);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; speakers.Count < count; k++)
        {
            int round = k / familiesPerRound, position = k % familiesPerRound;
            // Flite's slots are spread evenly through each round (Bresenham-style), starting at the first speaker.
            int fliteBefore = (position * FliteShare + familiesPerRound - 1) / familiesPerRound;
            bool isFlite = ((position + 1) * FliteShare + familiesPerRound - 1) / familiesPerRound > fliteBefore;
            var buckets = random.Derive(k);
            SynthSpeaker speaker;
            int attempts = 0;
            do
            {
                if (++attempts > 1000)
                    throw new HarkException($"cannot make {count} distinct synthetic speakers from the installed voices; ask for fewer clips per word");
                int accent = position - fliteBefore;
                speaker = isFlite
                    ? FliteSpeaker(flite[(round * FliteShare + fliteBefore) % flite.Count], buckets)
                    : EspeakSpeaker(catalog.EspeakAccents[accent], variants[(round + accent * stride) % variants.Count], buckets);
            }
            while (!used.Add(speaker.Id));   // a repeat voice redraws its buckets: ids must stay unique
            speakers.Add(speaker);
        }
        return speakers;
    }

    /// <summary>
    /// The takes for a dataset: <paramref name="perWord"/> clips for each word, from
    /// <c>ceil(perWord / repetitions)</c> speakers who each say every word <paramref name="repetitions"/> times.
    /// </summary>
    public static IReadOnlyList<SynthTake> Takes(VoiceCatalog catalog, IReadOnlyList<string> words, int perWord,
        int repetitions, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        var speakers = Speakers(catalog, (perWord + repetitions - 1) / repetitions, seed);
        var takes = new List<SynthTake>(words.Count * perWord);
        foreach (string word in words)
            for (int i = 0; i < perWord; i++)
            {
                var speaker = speakers[i / repetitions];
                int repetition = i % repetitions;
                var random = DeterministicRandom.For(seed, $"synth/take/{word}/{speaker.Id}/{repetition}");
                bool reverberant = random.NextDouble() < 0.35;
                takes.Add(new SynthTake(word, repetition, speaker,
                    Tempo: random.NextDouble(0.9, 1.12),
                    PeakDbfs: random.NextDouble(-20, -1),
                    ReverbSeconds: reverberant ? random.NextDouble(0.15, 0.6) : 0,
                    ReverbMix: reverberant ? random.NextDouble(0.08, 0.3) : 0));
            }
        return takes;
    }

    private static SynthSpeaker EspeakSpeaker(string accent, string? variant, DeterministicRandom random) =>
        new(VoiceCatalog.Espeak, accent, variant, Pick(EspeakPitches, random), Pick(EspeakRates, random), Pick(WarpPercents, random));

    private static SynthSpeaker FliteSpeaker(string voice, DeterministicRandom random)
    {
        // flite's voices span both sexes; F0 means are drawn around each voice's own register so none squeaks.
        int f0 = (int)Math.Round(random.NextDouble(0.8, 1.35) * (voice == "slt" ? 170 : 105) / 5) * 5;
        return new SynthSpeaker(VoiceCatalog.Flite, voice, null, f0, Pick(FliteStretches, random), Pick(WarpPercents, random));
    }

    private static int Pick(int[] grid, DeterministicRandom random) => grid[random.NextInt(0, grid.Length)];
}
