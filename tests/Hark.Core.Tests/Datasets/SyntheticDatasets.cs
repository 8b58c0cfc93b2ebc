using System.Security.Cryptography;
using Hark.Audio;

namespace Hark.Tests.Datasets;

/// <summary>Writes small Speech-Commands-style datasets of synthetic audio for dataset and curation tests.</summary>
internal static class SyntheticDatasets
{
    /// <summary>A tone burst of the given length; frequency and level vary with <paramref name="variant"/>.</summary>
    public static void WriteWord(string path, int variant, double seconds = 0.8)
    {
        var random = new DeterministicRandom((ulong)variant + 1);
        var samples = new float[(int)(seconds * AudioClip.PipelineRate)];
        double frequency = 200 + 37 * (variant % 23), level = 0.1 + 0.02 * (variant % 7);
        for (int i = 0; i < samples.Length; i++)
        {
            double envelope = Math.Sin(Math.PI * i / samples.Length);
            samples[i] = (float)(level * envelope * Math.Sin(2 * Math.PI * frequency * i / AudioClip.PipelineRate)
                                 + 0.001 * random.NextGaussian());
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WritePcm16(path, samples, AudioClip.PipelineRate);
    }

    public static void WriteNoise(string path, double seconds, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        var samples = new float[(int)(seconds * AudioClip.PipelineRate)];
        for (int i = 0; i < samples.Length; i++) samples[i] = (float)(0.05 * random.NextGaussian());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        WavWriter.WritePcm16(path, samples, AudioClip.PipelineRate);
    }

    /// <summary>
    /// <paramref name="speakersPerWord"/> speakers per word, two clips each, named like Speech Commands, plus a
    /// <c>_background_noise_</c> recording and a few <c>_silence_</c> clips. Speakers are shared across words, as
    /// in the real dataset, so speaker-disjointness across splits is a real constraint.
    /// </summary>
    public static string SpeechCommandsLike(string root, string[] words, int speakersPerWord, bool withNoise = true)
    {
        int variant = 0;
        foreach (string word in words)
            for (int s = 0; s < speakersPerWord; s++)
                for (int n = 0; n < 2; n++)
                    WriteWord(Path.Combine(root, word, $"{Speaker(s)}_nohash_{n}.wav"), variant++, 0.5 + 0.1 * (variant % 9));
        if (withNoise)
        {
            WriteNoise(Path.Combine(root, "_background_noise_", "hum.wav"), 12, 7);
            for (int i = 0; i < 4; i++)
                WriteNoise(Path.Combine(root, "_silence_", $"{1000 + i}.wav"), 1, (ulong)(100 + i));
        }
        return root;
    }

    public static string Speaker(int index) => $"{(uint)(index * 2654435761u):x8}";

    /// <summary>SHA-256 of every file under <paramref name="root"/>, by relative path.</summary>
    public static SortedDictionary<string, string> Fingerprint(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))),
            StringComparer.Ordinal);
}
