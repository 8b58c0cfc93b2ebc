using BenchmarkDotNet.Attributes;
using Hark.Audio;

namespace Hark.Bench;

/// <summary>
/// Audio loading cost per one-second clip. Target: curation reads thousands of 1-s clips, so parsing a 16 kHz
/// 16-bit clip should stay well under 50 us and allocate only the sample array; resampling a second of 44.1 kHz
/// audio should stay under 5 ms so foreign-rate recordings do not dominate a run.
/// </summary>
[MemoryDiagnoser]
public class AudioBenchmarks
{
    private byte[] _clip16k = [];
    private float[] _second44k1 = [];

    [GlobalSetup]
    public void Setup()
    {
        var stream = new MemoryStream();
        WavWriter.WritePcm16(stream, Tone(16000), AudioClip.PipelineRate);
        _clip16k = stream.ToArray();
        _second44k1 = Tone(44100);
        Resampler.For(44100, AudioClip.PipelineRate); // the filter is designed once per process; time the use
    }

    [Benchmark]
    public AudioClip Parse_1s_16bit_mono() => WavReader.Parse(_clip16k, "bench.wav");

    [Benchmark]
    public float[] Resample_1s_44k1_to_16k() => Resampler.Resample(_second44k1, 44100, AudioClip.PipelineRate);

    private static float[] Tone(int rate) =>
        Enumerable.Range(0, rate).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * 440 * i / rate)).ToArray();
}
