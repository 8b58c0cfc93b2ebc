using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hark.Streaming;

/// <summary>
/// One clip placed into a benchmark stream. <see cref="StartS"/>..<see cref="EndS"/> is the spoken word (located in
/// its 1-second file by energy), not the file's padding; <see cref="PlacedStartS"/>..<see cref="PlacedEndS"/> is the
/// audible cut (the word with a faded margin either side).
/// </summary>
/// <param name="Label">The clip's label (a keyword, or for a distractor the word it is).</param>
/// <param name="StartS">Speech start in the stream, seconds.</param>
/// <param name="EndS">Speech end in the stream, seconds.</param>
/// <param name="StartSample">Speech start, samples (the exact value <see cref="StartS"/> rounds).</param>
/// <param name="EndSample">Speech end (exclusive), samples.</param>
/// <param name="Clip">Full path of the source file.</param>
/// <param name="Speaker">Speaker from the file name, or null.</param>
/// <param name="Split">The source clip's split (train, validation, test).</param>
/// <param name="SnrDb">Speech RMS over the stream's background RMS across the speech, dB; null where the background
/// there is a silence gap.</param>
/// <param name="GainDb">Gain applied to the source clip, dB.</param>
public sealed record PlacedClip(
    string Label, double StartS, double EndS, long StartSample, long EndSample, string Clip, string? Speaker,
    string Split, double? SnrDb, double GainDb, double PlacedStartS, double PlacedEndS);

/// <summary>One stretch of the background: a cut of a noise recording at a level, or (no source) a silence gap.</summary>
/// <param name="Source">Noise recording, or null for a silence gap.</param>
/// <param name="OffsetS">Where in the recording the cut starts, seconds.</param>
/// <param name="LevelDb">RMS level the cut was scaled to, dBFS (null for silence).</param>
public sealed record BackgroundSegment(double StartS, double EndS, string? Source, double OffsetS, double? LevelDb);

/// <summary>How the stream was made (the options of <c>hark stream-bench</c>), for the record.</summary>
public sealed record StreamBenchSettings(
    double Minutes, double KeywordsPerMinute, double DistractorsPerMinute, double SnrMinDb, double SnrMaxDb,
    double NoiseMinDb, double NoiseMaxDb, double MinGapSeconds, double SilenceGapProbability, double CrossfadeSeconds,
    double MarginSeconds);

/// <summary>
/// <c>truth.json</c> beside a benchmark's <c>stream.wav</c>: what was placed where. Written by
/// <see cref="StreamBuilder"/>, read by the evaluator and the calibrator.
/// </summary>
public sealed record StreamTruth(
    int Format, int SampleRate, long Samples, double DurationS, int Seed, IReadOnlyList<string> Splits,
    IReadOnlyList<string> KeywordLabels, IReadOnlyList<string> Sources, StreamBenchSettings Settings,
    IReadOnlyList<PlacedClip> Keywords, IReadOnlyList<PlacedClip> Distractors, IReadOnlyList<BackgroundSegment> Background,
    IReadOnlyList<string> NoiseRecordings, IReadOnlyList<Datasets.SkippedEntry> Skipped)
{
    public const string FileName = "truth.json";
    public const string WavFileName = "stream.wav";
    public const int CurrentFormat = 1;

    [JsonIgnore] public double Hours => Samples / (double)SampleRate / 3600;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads <c>DIR/truth.json</c> (or the file given); anything missing or inconsistent names the file.</summary>
    /// <exception cref="InputFileException">Missing, unreadable, not a truth file, or inconsistent.</exception>
    public static StreamTruth Load(string streamDirOrTruthPath)
    {
        string path = Directory.Exists(streamDirOrTruthPath) ? Path.Combine(streamDirOrTruthPath, FileName) : streamDirOrTruthPath;
        if (!File.Exists(path))
            throw new InputFileException(path, Directory.Exists(streamDirOrTruthPath)
                ? "no truth.json in this stream folder (make one with hark stream-bench)"
                : "truth file not found");
        StreamTruth? truth;
        try { truth = JsonSerializer.Deserialize<StreamTruth>(File.ReadAllBytes(path), Json); }
        catch (JsonException e) { throw new InputFileException(path, $"not a stream truth file ({e.Message})", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InputFileException(path, $"cannot be read ({e.Message})", e); }
        if (truth is null) throw new InputFileException(path, "not a stream truth file (null)");
        var problem = truth.Problem();
        if (problem is not null) throw new InputFileException(path, problem);
        return truth;
    }

    private string? Problem()
    {
        if (Format != CurrentFormat) return $"truth format {Format} is not supported (this hark reads format {CurrentFormat})";
        if (SampleRate <= 0) return "sample_rate must be positive";
        if (Samples <= 0) return "samples must be positive";
        if (KeywordLabels is null || KeywordLabels.Count == 0) return "keyword_labels is missing or empty";
        if (Keywords is null) return "keywords is missing";
        foreach (var k in Keywords.Concat(Distractors ?? []))
        {
            if (k is null || string.IsNullOrEmpty(k.Label)) return "a placed clip has no label";
            if (!(k.StartS <= k.EndS) || k.StartS < 0) return $"placed clip '{k.Label}' at {k.StartS} s: start must be >= 0 and <= end";
        }
        foreach (var k in Keywords)
            if (!KeywordLabels.Contains(k.Label)) return $"keyword '{k.Label}' at {k.StartS:0.###} s is not in keyword_labels";
        return null;
    }
}
