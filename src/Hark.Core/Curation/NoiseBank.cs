using Hark.Audio;
using Hark.Datasets;

namespace Hark.Curation;

/// <summary>
/// The background recordings, each cut in time into one region per split (train first, then validation, then
/// test, sized by the split percentages), so validation and test never hear a stretch of noise that training
/// heard. A region shorter than a window wraps around.
/// </summary>
internal sealed class NoiseBank
{
    private readonly float[][] _recordings;
    private readonly SplitOptions _split;

    public IReadOnlyList<string> Paths { get; }

    private NoiseBank(IReadOnlyList<string> paths, float[][] recordings, SplitOptions split)
    {
        Paths = paths;
        _recordings = recordings;
        _split = split;
    }

    public bool IsEmpty => _recordings.Length == 0;

    /// <summary>Loads every readable recording; unreadable ones are added to <paramref name="skipped"/>.</summary>
    public static NoiseBank Load(IEnumerable<string> paths, SplitOptions split, ICollection<SkippedEntry> skipped)
    {
        var loaded = new List<(string Path, float[] Samples)>();
        foreach (string path in paths)
        {
            try
            {
                float[] samples = AudioSources.ReadPipeline(path);
                if (samples.Length == 0) skipped.Add(new SkippedEntry(path, "no samples"));
                else loaded.Add((path, samples));
            }
            catch (WavFormatException e)
            {
                skipped.Add(new SkippedEntry(path, e.Problem));
            }
        }
        return new NoiseBank(loaded.Select(l => l.Path).ToArray(), loaded.Select(l => l.Samples).ToArray(), split);
    }

    /// <summary>Fills <paramref name="window"/> from a random recording's region for <paramref name="split"/>.</summary>
    public (int Recording, int Offset) Draw(Split split, DeterministicRandom random, Span<float> window)
    {
        int recording = random.NextInt(0, _recordings.Length);
        float[] samples = _recordings[recording];
        var (start, length) = Region(samples.Length, split, _split);
        int offset = start + (length > window.Length ? random.NextInt(0, length - window.Length + 1) : 0);
        for (int i = 0; i < window.Length; i++)
            window[i] = samples[start + (offset - start + i) % length];
        return (recording, offset);
    }

    /// <summary>The stretch of a recording of <paramref name="total"/> samples that belongs to <paramref name="split"/>.</summary>
    internal static (int Start, int Length) Region(int total, Split split, SplitOptions options)
    {
        double trainShare = (100 - options.ValidationPercent - options.TestPercent) / 100;
        int validationStart = (int)(total * trainShare);
        int testStart = (int)(total * (trainShare + options.ValidationPercent / 100));
        var (start, end) = split switch
        {
            Split.Train => (0, validationStart),
            Split.Validation => (validationStart, testStart),
            _ => (testStart, total),
        };
        // A split with no share of the recording (0 %) still has to draw from somewhere.
        return end > start ? (start, end - start) : (0, total);
    }
}
