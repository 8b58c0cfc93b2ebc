namespace Hark.Synthesis;

/// <summary>
/// WSOLA (waveform-similarity overlap-add) time stretching: changes duration without changing pitch. Each output
/// frame is taken from near its nominal input position, at the offset whose waveform best continues the frame
/// copied before it, which keeps voiced speech free of the phasiness of plain overlap-add.
/// </summary>
public static class TimeStretch
{
    /// <summary>Returns <paramref name="input"/> played <paramref name="factor"/> times as long (0.5 is twice as fast).</summary>
    public static float[] Stretch(ReadOnlySpan<float> input, double factor, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        int outputLength = (int)Math.Round(input.Length * factor);
        if (Math.Abs(factor - 1) < 1e-9) return input.ToArray();
        int frame = Math.Max(16, sampleRate / 50);                  // 20 ms: several pitch periods of any voice
        int hop = frame / 2;
        int tolerance = frame / 4;
        double analysisHop = hop / factor;

        // Padding lets every frame read a full window without branches at the ends.
        var padded = new float[input.Length + 2 * frame + 2 * tolerance];
        input.CopyTo(padded.AsSpan(tolerance));
        var window = new float[frame];
        for (int i = 0; i < frame; i++) window[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / frame));

        var output = new float[outputLength + frame];
        var weight = new float[outputLength + frame];
        int previous = tolerance;
        for (int k = 0; k * hop < outputLength; k++)
        {
            int nominal = tolerance + (int)Math.Round(k * analysisHop);
            int chosen = k == 0 ? nominal : BestMatch(padded, previous + hop, nominal, tolerance, frame);
            var source = padded.AsSpan(chosen, frame);
            var destination = output.AsSpan(k * hop, frame);
            var weights = weight.AsSpan(k * hop, frame);
            for (int i = 0; i < frame; i++)
            {
                destination[i] += source[i] * window[i];
                weights[i] += window[i];
            }
            previous = chosen;
        }

        var result = new float[outputLength];
        for (int i = 0; i < outputLength; i++) result[i] = weight[i] > 1e-3f ? output[i] / weight[i] : output[i];
        return result;
    }

    /// <summary>The start within ±tolerance of <paramref name="nominal"/> most similar to the natural continuation.</summary>
    private static int BestMatch(float[] signal, int continuation, int nominal, int tolerance, int frame)
    {
        int lowest = Math.Max(0, nominal - tolerance);
        int highest = Math.Min(signal.Length - frame, nominal + tolerance);
        continuation = Math.Min(continuation, signal.Length - frame);
        var target = signal.AsSpan(continuation, frame);
        int best = Math.Clamp(nominal, lowest, highest);
        float bestScore = float.NegativeInfinity;
        for (int start = lowest; start <= highest; start++)
        {
            float score = Dot(target, signal.AsSpan(start, frame));
            if (score > bestScore) { bestScore = score; best = start; }
        }
        return best;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var lanes = System.Numerics.Vector<float>.Count;
        var sum = System.Numerics.Vector<float>.Zero;
        int i = 0;
        for (; i <= a.Length - lanes; i += lanes)
            sum += new System.Numerics.Vector<float>(a[i..]) * new System.Numerics.Vector<float>(b[i..]);
        float total = System.Numerics.Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }
}
