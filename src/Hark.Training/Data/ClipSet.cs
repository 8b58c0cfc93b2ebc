using Hark.Audio;
using Hark.Datasets;
using Hark.Features;

namespace Hark.Training.Data;

/// <summary>
/// The clips of one split held in memory as 16-bit audio (half the size of floats, lossless for PCM16 sources),
/// with their clean features computed once and cached. Training features are recomputed from the audio each
/// epoch when a clip's waveform is augmented.
/// </summary>
internal sealed class ClipSet
{
    private readonly short[][] _audio;
    private readonly FrontEndConfig _frontEnd;
    private readonly int _threads;
    private float[]? _cleanFeatures;

    public ClipSet(IReadOnlyList<LabeledClip> clips, IReadOnlyList<string> labels, FrontEndConfig frontEnd, int threads)
    {
        _frontEnd = frontEnd;
        _threads = threads;
        var front = new FrontEnd(frontEnd);
        Frames = front.FramesPerClip;
        FeaturesPerFrame = front.FeaturesPerFrame;
        Clips = clips;
        Targets = new long[clips.Count];
        var labelIndex = labels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.Ordinal);
        for (int i = 0; i < clips.Count; i++)
            Targets[i] = labelIndex.TryGetValue(clips[i].Label, out int index)
                ? index
                : throw new InputFileException(clips[i].Path, $"label '{clips[i].Label}' is not one of the model's labels ({string.Join(", ", labels)})");

        _audio = new short[clips.Count][];
        ForEachClip(clips.Count, () => 0, (i, state) =>
        {
            _audio[i] = ToPcm16(WavReader.ReadPipeline(clips[i].Path).Samples, frontEnd.ClipSamples);
            return state;
        });
    }

    public IReadOnlyList<LabeledClip> Clips { get; }
    public long[] Targets { get; }
    public int Count => Clips.Count;
    public int Frames { get; }
    public int FeaturesPerFrame { get; }
    public int FeatureLength => Frames * FeaturesPerFrame;

    /// <summary>Clean features of every clip, back to back, computed on first use.</summary>
    public float[] CleanFeatures
    {
        get
        {
            if (_cleanFeatures is not null) return _cleanFeatures;
            var features = new float[Count * FeatureLength];
            ForEachClip(Count, () => new Workspace(_frontEnd), (i, work) =>
            {
                work.Decode(_audio[i]);
                work.FrontEnd.ComputeClip(work.Audio, features.AsSpan(i * FeatureLength, FeatureLength));
                return work;
            });
            return _cleanFeatures = features;
        }
    }

    /// <summary>
    /// Features for one training epoch: position p holds clip <paramref name="order"/>[p], augmented with a
    /// stream derived from <paramref name="epochRandom"/> and p, so the result does not depend on scheduling.
    /// </summary>
    public void ComputeAugmented(IReadOnlyList<int> order, Augmenter augmenter, DeterministicRandom epochRandom, float[] output)
    {
        var clean = CleanFeatures;
        ForEachClip(order.Count, () => new Workspace(_frontEnd), (p, work) =>
        {
            var random = epochRandom.Derive(p);
            int clip = order[p];
            var features = output.AsSpan(p * FeatureLength, FeatureLength);
            if (random.NextDouble() < augmenter.Options.WaveformProbability)
            {
                work.Decode(_audio[clip]);
                augmenter.PerturbWaveform(work.Audio, work.Perturbed, random);
                work.FrontEnd.ComputeClip(work.Perturbed, features);
            }
            else
            {
                clean.AsSpan(clip * FeatureLength, FeatureLength).CopyTo(features);
            }
            augmenter.MaskFeatures(features, FeaturesPerFrame, random);
            return work;
        });
    }

    /// <summary>
    /// Parallel.For with per-thread state that rethrows the first failure itself rather than an
    /// AggregateException, so a bad file still surfaces as its one-line <see cref="HarkException"/>.
    /// </summary>
    private void ForEachClip<TState>(int count, Func<TState> init, Func<int, TState, TState> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _threads) },
                init, (i, _, state) => body(i, state), _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static short[] ToPcm16(float[] samples, int clipSamples)
    {
        var pcm = new short[Math.Min(samples.Length, clipSamples)];
        for (int i = 0; i < pcm.Length; i++) pcm[i] = (short)Math.Clamp(MathF.Round(samples[i] * 32768f), short.MinValue, short.MaxValue);
        return pcm;
    }

    /// <summary>Per-thread front end and buffers: the front end keeps internal scratch and is not thread-safe.</summary>
    private sealed class Workspace(FrontEndConfig config)
    {
        private readonly float[] _audio = new float[config.ClipSamples];
        public FrontEnd FrontEnd { get; } = new(config);
        public float[] Perturbed { get; } = new float[config.ClipSamples];
        public ReadOnlySpan<float> Audio => _audio;

        public void Decode(short[] pcm)
        {
            for (int i = 0; i < pcm.Length; i++) _audio[i] = pcm[i] / 32768f;
            _audio.AsSpan(pcm.Length).Clear();
        }
    }
}
