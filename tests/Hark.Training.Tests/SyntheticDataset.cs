using Hark.Audio;

namespace Hark.Training.Tests;

/// <summary>
/// Writes a separable Speech Commands-layout dataset: class k is a tone burst of its own pitch in its own third
/// of the second, over low noise, so any front end (energy envelope or cepstra) tells the classes apart.
/// Speakers are named so the split lists put clips 0..n-1 of each class into train, validation and test.
/// </summary>
internal static class SyntheticDataset
{
    public static string Write(string root, int classes, int trainPerClass, int validationPerClass, int testPerClass,
        int seed = 7, bool withNoiseFolder = false)
    {
        var validation = new List<string>();
        var testing = new List<string>();
        var samples = new float[AudioClip.PipelineRate];
        for (int c = 0; c < classes; c++)
        {
            string label = $"tone{c}";
            Directory.CreateDirectory(Path.Combine(root, label));
            int total = trainPerClass + validationPerClass + testPerClass;
            for (int i = 0; i < total; i++)
            {
                var random = DeterministicRandom.For(seed, label).Derive(i);
                Render(samples, c, classes, random);
                string name = $"{c:x2}{i:x6}_nohash_0.wav";
                WavWriter.WritePcm16(Path.Combine(root, label, name), samples, AudioClip.PipelineRate);
                if (i >= trainPerClass + validationPerClass) testing.Add($"{label}/{name}");
                else if (i >= trainPerClass) validation.Add($"{label}/{name}");
            }
        }
        File.WriteAllLines(Path.Combine(root, "validation_list.txt"), validation);
        File.WriteAllLines(Path.Combine(root, "testing_list.txt"), testing);
        if (withNoiseFolder)
        {
            Directory.CreateDirectory(Path.Combine(root, Datasets.Labels.BackgroundNoiseFolder));
            var noise = new float[3 * AudioClip.PipelineRate];
            var random = DeterministicRandom.For(seed, "noise");
            for (int i = 0; i < noise.Length; i++) noise[i] = (float)(0.1 * random.NextGaussian());
            WavWriter.WritePcm16(Path.Combine(root, Datasets.Labels.BackgroundNoiseFolder, "white.wav"), noise, AudioClip.PipelineRate);
        }
        return root;
    }

    private static void Render(float[] samples, int cls, int classes, DeterministicRandom random)
    {
        double frequency = 300 + 400 * cls * random.NextDouble(0.95, 1.05);
        double amplitude = random.NextDouble(0.3, 0.6);
        int span = samples.Length / classes;
        int start = cls * span + random.NextInt(0, span / 4);
        int length = span / 2;
        for (int i = 0; i < samples.Length; i++)
        {
            double tone = i >= start && i < start + length ? amplitude * Math.Sin(2 * Math.PI * frequency * i / AudioClip.PipelineRate) : 0;
            samples[i] = (float)(tone + 0.01 * random.NextGaussian());
        }
    }
}
