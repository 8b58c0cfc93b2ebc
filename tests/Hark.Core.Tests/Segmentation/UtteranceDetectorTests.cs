using Hark.Audio;
using Hark.Segmentation;

namespace Hark.Tests.Segmentation;

public class UtteranceDetectorTests
{
    private const int Rate = AudioClip.PipelineRate;

    /// <summary>A word-like burst: harmonics of a 150 Hz voice under a smooth envelope.</summary>
    internal static float[] Burst(double seconds, float peak)
    {
        var burst = new float[(int)(seconds * Rate)];
        for (int i = 0; i < burst.Length; i++)
        {
            double t = (double)i / Rate, envelope = Math.Sin(Math.PI * i / burst.Length);
            double voice = Math.Sin(2 * Math.PI * 150 * t) + 0.5 * Math.Sin(2 * Math.PI * 300 * t) + 0.3 * Math.Sin(2 * Math.PI * 450 * t);
            burst[i] = (float)(peak * envelope * voice / 1.8);
        }
        return burst;
    }

    internal static float[] Noise(double seconds, float rms, int seed)
    {
        var random = new DeterministicRandom((ulong)seed);
        var noise = new float[(int)(seconds * Rate)];
        for (int i = 0; i < noise.Length; i++) noise[i] = (float)(rms * random.NextGaussian());
        return noise;
    }

    /// <summary>Adds <paramref name="clip"/> centred at <paramref name="centre"/> seconds.</summary>
    internal static void Place(float[] recording, float[] clip, double centre)
    {
        int start = (int)Math.Round(centre * Rate) - clip.Length / 2;
        for (int i = 0; i < clip.Length; i++) recording[start + i] += clip[i];
    }

    [Fact]
    public void Finds_every_burst_at_its_true_centre()
    {
        double[] centres = [0.9, 2.4, 3.7, 5.5, 6.8, 8.6, 10.2];
        var recording = Noise(11.5, rms: 0.002f, seed: 1);
        var random = new DeterministicRandom(2);
        foreach (double centre in centres) Place(recording, Burst(random.NextDouble(0.25, 0.6), (float)random.NextDouble(0.05, 0.8)), centre);

        var found = UtteranceDetector.Detect(recording, Rate);

        Assert.Equal(centres.Length, found.Count);
        for (int i = 0; i < centres.Length; i++) Assert.InRange(found[i].Centre, centres[i] - 0.05, centres[i] + 0.05);
        Assert.All(found, u => Assert.True(u.Start < u.Centre && u.Centre < u.End));
    }

    [Fact]
    public void A_word_with_an_internal_pause_is_one_utterance_centred_on_its_energy()
    {
        // "stop": a weak burst, a 120 ms closure, then a burst twice as long at the same level.
        var recording = Noise(4, rms: 0.001f, seed: 3);
        Place(recording, Burst(0.15, 0.4f), 1.5);
        Place(recording, Burst(0.30, 0.4f), 1.5 + 0.075 + 0.12 + 0.15);

        var found = UtteranceDetector.Detect(recording, Rate);

        var word = Assert.Single(found);
        double energyCentre = (0.15 * 1.5 + 0.30 * 1.845) / 0.45;
        Assert.InRange(word.Centre, energyCentre - 0.05, energyCentre + 0.05);
    }

    [Fact]
    public void A_faint_click_far_below_the_words_is_not_an_utterance()
    {
        var recording = Noise(4, rms: 0.0005f, seed: 8);
        Place(recording, Burst(0.4, 0.5f), 1.0);
        Place(recording, Burst(0.1, 0.01f), 2.0);
        Place(recording, Burst(0.4, 0.3f), 3.0);
        Assert.Equal([1.0, 3.0], UtteranceDetector.Detect(recording, Rate).Select(u => Math.Round(u.Centre, 1)));
    }

    [Fact]
    public void Noise_alone_yields_no_utterances()
    {
        var random = new DeterministicRandom(4);
        var loud = Noise(6, rms: 0.1f, seed: 5);
        Assert.Empty(UtteranceDetector.Detect(loud, Rate));
        var quiet = Noise(6, rms: 0.0005f, seed: 6);
        for (int i = 0; i < quiet.Length; i++) quiet[i] += (float)(0.0003 * Math.Sin(2 * Math.PI * 50 * i / Rate + random.NextDouble()));
        Assert.Empty(UtteranceDetector.Detect(quiet, Rate));
        Assert.Empty(UtteranceDetector.Detect(new float[Rate * 2], Rate));
    }

    [SkippableFact]
    public void Finds_real_spoken_words_placed_at_known_times()
    {
        string dev = TestPaths.RequireSpeechCommandsDev();
        var clips = Directory.GetFiles(Path.Combine(dev, "yes"), "*.wav").Order(StringComparer.Ordinal).Take(6)
            .Select(WavReader.Read).ToList();
        var recording = Noise(1.6 * clips.Count + 1, rms: 0.0005f, seed: 7);
        var truth = new List<double>();
        for (int i = 0; i < clips.Count; i++)
        {
            double clipStart = 0.5 + 1.6 * i;
            var samples = clips[i].Samples;
            Array.Copy(samples, 0, recording, (int)(clipStart * Rate), samples.Length);
            // Truth is each clip's own sample-level centre of energy, independent of the detector's frames.
            double mass = 0, moment = 0;
            for (int s = 0; s < samples.Length; s++) { mass += samples[s] * samples[s]; moment += samples[s] * samples[s] * s; }
            truth.Add(clipStart + moment / mass / Rate);
        }

        var found = UtteranceDetector.Detect(recording, Rate);

        Assert.Equal(truth.Count, found.Count);
        for (int i = 0; i < truth.Count; i++) Assert.InRange(found[i].Centre, truth[i] - 0.05, truth[i] + 0.05);
    }
}
