using System.Text;
using Hark.Audio;
using Hark.Datasets;

namespace Hark.Segmentation;

/// <summary>What <see cref="ClipCutter.Cut"/> wrote.</summary>
public sealed record CutResult(string InputPath, string Label, string OutputFolder, double RecordingSeconds,
    IReadOnlyList<Utterance> Utterances, IReadOnlyList<string> ClipFiles);

/// <summary>
/// Cuts a recording of someone repeating a word into 1-second clips, one per detected utterance, centred on the
/// utterance's energy, into <c>OUT/label/name_nohash_n.wav</c>. The input is only read; each clip is written under
/// a temporary name and renamed, so no half-written clip is ever left behind.
/// </summary>
public static class ClipCutter
{
    public static CutResult Cut(string inputPath, string label, string outputDirectory, bool force = false,
        DetectorOptions? options = null)
    {
        string folderName = Labels.ToFolderName(label);
        if (folderName.Length == 0) throw new HarkException("--label must not be empty");
        var recording = WavReader.ReadPipeline(inputPath);
        var samples = recording.SampleRate == AudioClip.PipelineRate
            ? recording.Samples
            : Resampler.Resample(recording.Samples, recording.SampleRate, AudioClip.PipelineRate);
        var utterances = UtteranceDetector.Detect(samples, AudioClip.PipelineRate, options);

        string folder = Path.Combine(Path.GetFullPath(outputDirectory), folderName);
        string speaker = SpeakerName(inputPath);
        var files = Enumerable.Range(0, utterances.Count).Select(n => Path.Combine(folder, $"{speaker}_nohash_{n}.wav")).ToList();
        if (!force && files.FirstOrDefault(File.Exists) is { } existing)
            throw new HarkException($"{existing}: already exists (use --force to overwrite clips from this recording)");
        if (Path.GetFullPath(inputPath) is var input && files.Any(f => string.Equals(f, input, StringComparison.Ordinal)))
            throw new HarkException($"{inputPath}: output would overwrite the input recording; choose another --out");

        if (utterances.Count > 0) Directory.CreateDirectory(folder);
        var clip = new float[AudioClip.PipelineRate];
        for (int n = 0; n < utterances.Count; n++)
        {
            CentredWindow(samples, utterances[n].Centre, clip);
            string temporary = files[n] + ".partial";
            WavWriter.WritePcm16(temporary, clip, AudioClip.PipelineRate);
            File.Move(temporary, files[n], overwrite: true);
        }
        return new CutResult(inputPath, folderName, folder, recording.DurationSeconds, utterances, files);
    }

    /// <summary>The 1-second window centred on <paramref name="centreSeconds"/>, zero beyond the recording's ends.</summary>
    public static void CentredWindow(ReadOnlySpan<float> samples, double centreSeconds, Span<float> window)
    {
        window.Clear();
        int start = (int)Math.Round(centreSeconds * AudioClip.PipelineRate) - window.Length / 2;
        int from = Math.Max(0, start), to = Math.Min(samples.Length, start + window.Length);
        if (to > from) samples[from..to].CopyTo(window[(from - start)..]);
    }

    /// <summary>
    /// The file stem as a Speech Commands speaker id: lower case letters, digits and '-' only, because '_' separates
    /// the speaker from "nohash" and curation splits file names on it.
    /// </summary>
    public static string SpeakerName(string inputPath)
    {
        var name = new StringBuilder();
        foreach (char c in Path.GetFileNameWithoutExtension(inputPath).ToLowerInvariant())
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        string result = name.ToString().Trim('-');
        return result.Length > 0 ? result : "recording";
    }
}
