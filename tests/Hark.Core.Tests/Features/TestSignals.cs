using Hark.Features;

namespace Hark.Tests.Features;

internal static class TestSignals
{
    /// <summary>
    /// One second at 16 kHz: a 0.3-amplitude linear chirp 100 -> 5000 Hz plus uniform noise of amplitude 0.02 from
    /// DeterministicRandom(20261125), quantised to int16. The noise keeps every mel band well above the log floor,
    /// so float-vs-double comparisons measure arithmetic error, not the floor.
    /// </summary>
    public static short[] ChirpWithNoise(int samples = 16000)
    {
        var random = new DeterministicRandom(20261125);
        var clip = new short[samples];
        for (int i = 0; i < samples; i++)
        {
            double t = i / 16000.0;
            double chirp = 0.3 * Math.Sin(2 * Math.PI * (100 * t + 0.5 * 4900 * t * t));
            clip[i] = FrontEnd.Quantize((float)(chirp + 0.02 * (2 * random.NextDouble() - 1)));
        }
        return clip;
    }

    public static float[] ToFloat(short[] clip) => clip.Select(s => s / 32768f).ToArray();
}
