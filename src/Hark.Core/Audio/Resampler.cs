namespace Hark.Audio;

// CONTRACT STUB: linear interpolation, no anti-aliasing. The real windowed-sinc resampler replaces this file.
public static class Resampler
{
    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate)
    {
        if (fromRate == toRate) return input.ToArray();
        int n = (int)((long)input.Length * toRate / fromRate);
        var output = new float[n];
        for (int i = 0; i < n; i++)
        {
            double pos = (double)i * fromRate / toRate;
            int j = (int)pos;
            double frac = pos - j;
            float a = input[j], b = j + 1 < input.Length ? input[j + 1] : 0f;
            output[i] = (float)(a + (b - a) * frac);
        }
        return output;
    }
}
