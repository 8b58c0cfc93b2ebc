using Hark.Audio;

namespace Hark.Curation;

internal static class AudioSources
{
    /// <summary>
    /// Samples at <see cref="AudioClip.PipelineRate"/>. The reader already resamples; the guard keeps curation
    /// correct with any reader that returns the file's own rate.
    /// </summary>
    public static float[] ReadPipeline(string path)
    {
        var clip = WavReader.ReadPipeline(path);
        return clip.SampleRate == AudioClip.PipelineRate
            ? clip.Samples
            : Resampler.Resample(clip.Samples, clip.SampleRate, AudioClip.PipelineRate);
    }
}
