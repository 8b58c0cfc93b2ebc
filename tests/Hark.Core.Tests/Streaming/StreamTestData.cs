using Hark.Audio;
using Hark.Engine;
using Hark.Streaming;
using Hark.Tests.Engine;

namespace Hark.Tests.Streaming;

/// <summary>
/// Small inputs for the streaming benchmark tests: a Speech-Commands-layout folder of synthetic one-second clips whose
/// "speech" (a tone burst) sits at a known place, a tiny int8 model with keyword labels, and hand-made truths.
/// </summary>
internal static class StreamTestData
{
    public const double SpeechStart = 0.3, SpeechEnd = 0.7;
    public static readonly string[] Words = ["yes", "no", "up", "down"];

    /// <summary>A 1 s clip: faint hiss, and a tone burst over [<see cref="SpeechStart"/>, <see cref="SpeechEnd"/>).</summary>
    public static void WriteWordClip(string path, int variant)
    {
        var random = new DeterministicRandom((ulong)variant + 11);
        var samples = new float[AudioClip.PipelineRate];
        double frequency = 300 + 53 * (variant % 17), level = 0.1 + 0.03 * (variant % 5);
        int start = (int)(SpeechStart * AudioClip.PipelineRate), end = (int)(SpeechEnd * AudioClip.PipelineRate), ramp = 80;
        for (int i = 0; i < samples.Length; i++)
        {
            double envelope = i < start || i >= end ? 0 : Math.Min(1, Math.Min(i - start + 1, end - i) / (double)ramp);
            samples[i] = (float)(level * envelope * Math.Sin(2 * Math.PI * frequency * i / AudioClip.PipelineRate) + 0.0002 * random.NextGaussian());
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WritePcm16(path, samples, AudioClip.PipelineRate);
    }

    public static void WriteNoise(string path, double seconds, ulong seed, double level = 0.05)
    {
        var random = new DeterministicRandom(seed);
        var samples = new float[(int)(seconds * AudioClip.PipelineRate)];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(level * random.NextGaussian());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WritePcm16(path, samples, AudioClip.PipelineRate);
    }

    public static string Speaker(int index) => $"{(uint)(index * 2654435761u + 7):x8}";

    /// <summary>Every word said by <paramref name="speakers"/> speakers, two takes each; 40 s of white noise.</summary>
    public static string Dataset(string root, int speakers = 12, bool withNoise = true)
    {
        int variant = 0;
        foreach (string word in Words)
            for (int s = 0; s < speakers; s++)
                for (int n = 0; n < 2; n++)
                    WriteWordClip(Path.Combine(root, word, $"{Speaker(s)}_nohash_{n}.wav"), variant++);
        if (withNoise) WriteNoise(Path.Combine(root, "_background_noise_", "white.wav"), 40, 5);
        for (int i = 0; i < 3; i++) WriteNoise(Path.Combine(root, "_silence_", $"s{i}.wav"), 1, (ulong)(20 + i), 0.01);
        return root;
    }

    public static readonly string[] ModelLabels = ["yes", "no", "_unknown_"];

    /// <summary>The tiny random-weight test graph as a 3-label keyword model (yes, no, unknown).</summary>
    public static ModelPackage Package(int seed = 3, DetectorSettings? detector = null) => new(TestGraphs.Quantized(seed), TestGraphs.FrontEnd,
        ModelLabels, new PackageMetadata("test", "0.0", new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), null, null, null, 64), detector);

    public static PlacedClip Word(string label, double start, double end, int rate = 16000) =>
        new(label, start, end, (long)Math.Round(start * rate), (long)Math.Round(end * rate), $"/clips/{label}.wav", null, "test", 10, 0, start, end);

    public static StreamTruth Truth(double seconds, IReadOnlyList<PlacedClip> keywords, IReadOnlyList<PlacedClip>? distractors = null,
        IReadOnlyList<string>? labels = null, int rate = 16000) => new(
        StreamTruth.CurrentFormat, rate, (long)Math.Round(seconds * rate), seconds, 1, ["test"], labels ?? ["yes", "no"], ["/data"],
        new StreamBenchSettings(seconds / 60, 1, 1, 5, 20, -45, -30, 2, 0.1, 0.1, 0.15), keywords, distractors ?? [], [], [], []);
}
