using Hark.Audio;
using Hark.Engine;

namespace Hark.Streaming;

/// <summary>A model run over a benchmark stream: the truth, the events at the package's settings, every inference.</summary>
public sealed record StreamRun(string Directory, StreamTruth Truth, DetectorSettings Settings, IReadOnlyList<string> Labels,
    ScoreTrace Trace, IReadOnlyList<DetectionEvent> Events);

/// <summary>
/// Runs a model package's <see cref="KeywordStream"/> (its own detector settings) over a benchmark stream made by
/// <see cref="StreamBuilder"/>, recording every inference, and scores the events with <see cref="EventMatcher"/>.
/// Inputs are only read.
/// </summary>
public static class StreamEvaluator
{
    private const int ChunkSeconds = 10;

    /// <summary>The truth of a stream folder and its audio, opened for reading block by block, checked against each
    /// other and against the model. The caller disposes the audio.</summary>
    /// <exception cref="InputFileException">Missing or corrupt files, or a stream that does not fit its truth or the model.</exception>
    public static (StreamTruth Truth, Pcm16WavStream Audio) Open(string streamDir, ModelPackage package)
    {
        if (!Directory.Exists(streamDir))
            throw new InputFileException(streamDir, File.Exists(streamDir) ? "is a file, expected a stream folder (made by hark stream-bench)" : "stream folder not found");
        var truth = StreamTruth.Load(streamDir);
        string truthPath = Path.Combine(streamDir, StreamTruth.FileName), wav = Path.Combine(streamDir, StreamTruth.WavFileName);
        if (truth.SampleRate != package.FrontEnd.SampleRate)
            throw new InputFileException(truthPath, $"the stream is at {truth.SampleRate} Hz, the model needs {package.FrontEnd.SampleRate} Hz");
        var missing = truth.KeywordLabels.Where(k => !package.Labels.Contains(k)).ToList();
        if (missing.Count > 0)
            throw new InputFileException(truthPath, $"keyword{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(m => $"'{m}'"))} " +
                                                    $"not among the model's labels ({string.Join(", ", package.Labels)})");
        if (!File.Exists(wav)) throw new InputFileException(wav, "not found (the stream folder holds truth.json but no audio)");
        var audio = Pcm16WavStream.Open(wav);
        try
        {
            if (audio.SampleRate != truth.SampleRate)
                throw new InputFileException(wav, $"is {audio.SampleRate} Hz, but truth.json says {truth.SampleRate} Hz");
            if (audio.Samples != truth.Samples)
                throw new InputFileException(wav, $"holds {audio.Samples} samples, but truth.json says {truth.Samples}: not the stream this truth describes");
            return (truth, audio);
        }
        catch
        {
            audio.Dispose();
            throw;
        }
    }

    /// <summary>Streams the audio through the package's engine and detector, recording every inference. The audio is
    /// read from disk a block at a time, so hours of stream need no more memory than minutes.</summary>
    public static StreamRun Run(ModelPackage package, string streamDir, IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default)
    {
        var (truth, audio) = Open(streamDir, package);
        using (audio)
        {
            var (trace, events) = Record(package, package.Detector, audio.Samples, audio.Read, progress, cancel);
            return new StreamRun(Path.GetFullPath(streamDir), truth, package.Detector, package.Labels, trace, events);
        }
    }

    /// <summary>Events and the trace of every inference of <paramref name="settings"/> over <paramref name="samples"/>.</summary>
    public static (ScoreTrace Trace, List<DetectionEvent> Events) Record(ModelPackage package, DetectorSettings settings,
        ReadOnlySpan<short> samples, IProgress<ProgressReport>? progress = null, CancellationToken cancel = default)
    {
        short[] all = samples.ToArray();
        int at = 0;
        int Read(Span<short> block)
        {
            int n = Math.Min(block.Length, all.Length - at);
            all.AsSpan(at, n).CopyTo(block);
            at += n;
            return n;
        }
        return Record(package, settings, all.Length, Read, progress, cancel);
    }

    private delegate int SampleSource(Span<short> block);

    private static (ScoreTrace Trace, List<DetectionEvent> Events) Record(ModelPackage package, DetectorSettings settings,
        long total, SampleSource read, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var stream = new KeywordStream(package.CreateEngine(), settings);
        var trace = new ScoreTrace(package.Labels, settings.InferEvery);
        stream.InferenceObserver = trace.Add;
        var events = new List<DetectionEvent>();
        int rate = package.FrontEnd.SampleRate;
        var block = new short[ChunkSeconds * rate];
        long done = 0;
        for (int n; (n = read(block)) > 0;)
        {
            cancel.ThrowIfCancellationRequested();
            stream.Push(block.AsSpan(0, n), events);
            done += n;
            progress?.Report(new ProgressReport((double)done / Math.Max(1, total), $"{done / rate / 60} of {total / rate / 60} min"));
        }
        return (trace, events);
    }

    /// <summary>The run's events matched to its truth.</summary>
    public static StreamScore Score(StreamRun run, double toleranceS) => EventMatcher.Match(run.Truth, run.Events, toleranceS, run.Labels);
}
