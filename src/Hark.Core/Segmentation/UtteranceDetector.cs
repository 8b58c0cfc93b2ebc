namespace Hark.Segmentation;

/// <summary>One detected utterance, in seconds from the start of the recording.</summary>
/// <param name="Centre">Centre of energy mass: where a 1-second clip of this utterance should be centred.</param>
/// <param name="PeakDb">Loudest 10 ms frame, dBFS.</param>
public sealed record Utterance(double Start, double End, double Centre, double PeakDb)
{
    public double Duration => End - Start;
}

/// <summary>Settings of the energy detector. Defaults suit isolated words said with a pause between them.</summary>
/// <param name="FrameSeconds">Energy frame length.</param>
/// <param name="StartMarginDb">An utterance starts when a frame rises this far above the noise floor...</param>
/// <param name="StopMarginDb">...and continues until it falls below this lower margin (hysteresis).</param>
/// <param name="MergeGapSeconds">Segments closer than this are one utterance (the stop in "stop", pauses in a phrase).</param>
/// <param name="MinDurationSeconds">Shorter segments are clicks, not words.</param>
/// <param name="NoiseFloorPercentile">Percentile of frame levels taken as the noise floor.</param>
/// <param name="MinPeakAboveFloorDb">A segment must peak at least this far above the floor to count as speech.</param>
/// <param name="MaxBelowLoudestDb">Segments peaking this far below the loudest one are clicks and breaths, not repetitions.</param>
public sealed record DetectorOptions(
    double FrameSeconds = 0.01,
    double StartMarginDb = 12,
    double StopMarginDb = 6,
    double MergeGapSeconds = 0.25,
    double MinDurationSeconds = 0.08,
    double NoiseFloorPercentile = 10,
    double MinPeakAboveFloorDb = 18,
    double MaxBelowLoudestDb = 25);

/// <summary>
/// Finds words in a long recording by frame energy. The noise floor is estimated from the quietest frames, so the
/// thresholds adapt to the room and the microphone gain; hysteresis keeps a word's quiet tail attached to it;
/// close segments merge so one word is one utterance.
/// </summary>
public static class UtteranceDetector
{
    public static IReadOnlyList<Utterance> Detect(ReadOnlySpan<float> samples, int sampleRate, DetectorOptions? options = null)
    {
        options ??= new DetectorOptions();
        int frame = Math.Max(1, (int)Math.Round(options.FrameSeconds * sampleRate));
        var levels = FrameEnergy.Decibels(samples, frame);
        if (levels.Length == 0) return [];
        float floor = Percentile(levels, options.NoiseFloorPercentile);
        float start = floor + (float)options.StartMarginDb, stop = floor + (float)options.StopMarginDb;

        var segments = new List<(int First, int Last)>();
        for (int f = 0; f < levels.Length; f++)
        {
            if (levels[f] < start) continue;
            int first = f, last = f;
            while (first > 0 && levels[first - 1] >= stop) first--;             // the onset began below the start level
            while (last + 1 < levels.Length && levels[last + 1] >= stop) last++;
            int mergeFrames = (int)Math.Round(options.MergeGapSeconds / options.FrameSeconds);
            if (segments.Count > 0 && first - segments[^1].Last - 1 <= mergeFrames)
                segments[^1] = (segments[^1].First, last);
            else
                segments.Add((first, last));
            f = last;
        }

        var utterances = new List<Utterance>(segments.Count);
        double seconds = (double)frame / sampleRate;
        foreach (var (first, last) in segments)
        {
            var span = levels.AsSpan(first, last - first + 1);
            float peak = float.MinValue;
            double mass = 0, moment = 0;
            for (int i = 0; i < span.Length; i++)
            {
                peak = Math.Max(peak, span[i]);
                double energy = Math.Pow(10, span[i] / 10);
                mass += energy;
                moment += energy * (first + i + 0.5);
            }
            if ((last - first + 1) * seconds < options.MinDurationSeconds || peak < floor + options.MinPeakAboveFloorDb) continue;
            double end = Math.Min((last + 1) * seconds, (double)samples.Length / sampleRate);
            utterances.Add(new Utterance(first * seconds, end, moment / mass * seconds, peak));
        }
        if (utterances.Count == 0) return utterances;
        double loudest = utterances.Max(u => u.PeakDb);
        return [.. utterances.Where(u => u.PeakDb >= loudest - options.MaxBelowLoudestDb)];
    }

    private static float Percentile(float[] values, double percentile)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        int index = (int)Math.Clamp(Math.Round(percentile / 100 * (sorted.Length - 1)), 0, sorted.Length - 1);
        return sorted[index];
    }
}
