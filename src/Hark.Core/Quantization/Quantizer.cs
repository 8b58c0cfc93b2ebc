using Hark.Engine;

namespace Hark.Quantization;

/// <summary>The float range one activation tensor took during calibration.</summary>
public readonly record struct TensorRange(float Min, float Max);

/// <summary>
/// Post-training int8 quantization with TFLite's rules, so the int8 graph maps 1:1 onto a .tflite file:
/// <list type="bullet">
/// <item>activations: per-tensor asymmetric, from the calibrated range widened to include 0,
/// <c>scale = (max - min) / 255</c>, <c>zero_point = round(-128 - min / scale)</c> clamped to [-128, 127];</item>
/// <item>weights: per output channel symmetric, <c>scale = max|w| / 127</c>, values <c>round(w / scale)</c> in
/// [-127, 127] (fully connected: one scale for the tensor, as TFLite Micro's int8 kernel takes);</item>
/// <item>bias: int32 <c>round(b / (input_scale * weight_scale[c]))</c>, zero point 0;</item>
/// <item>pooling and reshape outputs reuse the input's quantization (TFLite requires it for int8 AVERAGE_POOL_2D
/// and MAX_POOL_2D); softmax outputs scale 1/256, zero point -128.</item>
/// </list>
/// All rounding is half away from zero on float32 scales, as TFLite's converter computes it.
/// </summary>
public static class Quantizer
{
    /// <summary>
    /// Observes every tensor's range over <paramref name="inputs"/> (features, NHWC input order) through the float
    /// graph. With <paramref name="quantile"/> below 1 the range is the quantile of the per-clip minima and maxima
    /// instead of their extremes, so a few unusually loud clips do not coarsen every other clip's resolution.
    /// </summary>
    public static TensorRange[] Calibrate(FloatGraph graph, IEnumerable<float[]> inputs, double quantile = 1.0)
    {
        if (quantile is <= 0.5 or > 1) throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "must be in (0.5, 1]");
        var executor = new FloatExecutor(graph);
        var minima = graph.Tensors.Select(_ => new List<float>()).ToArray();
        var maxima = graph.Tensors.Select(_ => new List<float>()).ToArray();
        foreach (float[] input in inputs)
        {
            executor.Run(input);
            for (int t = 0; t < graph.Tensors.Count; t++)
            {
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                foreach (float v in executor.Tensors[t])
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                }
                minima[t].Add(min);
                maxima[t].Add(max);
            }
        }
        if (minima[0].Count == 0) throw new ArgumentException("calibration needs at least one input", nameof(inputs));
        return Enumerable.Range(0, graph.Tensors.Count)
            .Select(t => new TensorRange(Quantile(minima[t], 1 - quantile), Quantile(maxima[t], quantile)))
            .ToArray();
    }

    private static float Quantile(List<float> values, double q)
    {
        values.Sort();
        return values[(int)Math.Round(q * (values.Count - 1))];
    }

    /// <summary>TFLite's asymmetric int8 quantization of a float range (widened to contain 0).</summary>
    public static TensorQuantization ForRange(TensorRange range)
    {
        double min = Math.Min(0, range.Min), max = Math.Max(0, range.Max);
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new ArgumentException($"range {range} is not finite", nameof(range));
        float scale = max > min ? (float)((max - min) / 255.0) : 1f;
        int zeroPoint = (int)Math.Clamp(Math.Round(-128 - min / scale, MidpointRounding.AwayFromZero), -128, 127);
        return new TensorQuantization(scale, zeroPoint);
    }

    /// <summary>Quantizes <paramref name="graph"/> with the activation ranges from <see cref="Calibrate"/>.</summary>
    public static QuantizedGraph Quantize(FloatGraph graph, IReadOnlyList<TensorRange> ranges)
    {
        if (ranges.Count != graph.Tensors.Count) throw new ArgumentException("one range per tensor expected", nameof(ranges));
        var quantization = new TensorQuantization[graph.Tensors.Count];
        quantization[graph.Input] = ForRange(ranges[graph.Input]);
        var ops = new List<GraphOp<Int8Params>>(graph.Ops.Count);
        foreach (var op in graph.Ops)
        {
            OpSpec s = op.Spec;
            TensorQuantization input = quantization[s.Inputs[0]];
            quantization[s.Output] = s.Kind switch
            {
                OpKind.AveragePool2D or OpKind.MaxPool2D or OpKind.Reshape => input,
                OpKind.Softmax => GraphValidation.SoftmaxOutput,
                _ => ForRange(ranges[s.Output]),
            };
            var parameters = op.Params is null ? null : QuantizeWeights(s, op.Params, input.Scale, quantization[s.Output].Scale);
            ops.Add(new GraphOp<Int8Params>(s, parameters));
        }
        var tensors = graph.Tensors.Select((t, i) => t with { Quantization = quantization[i] }).ToArray();
        return new QuantizedGraph(tensors, ops, graph.Input, graph.Output);
    }

    private static Int8Params QuantizeWeights(OpSpec spec, FloatParams p, float inputScale, float outputScale)
    {
        int channels = p.Bias.Length;
        bool perTensor = spec.Kind == OpKind.FullyConnected;
        bool depthwise = spec.Kind == OpKind.DepthwiseConv2D;
        int ChannelOf(int i) => perTensor ? 0 : depthwise ? i % channels : i / (p.Weights.Length / channels);

        var maxAbs = new float[perTensor ? 1 : channels];
        for (int i = 0; i < p.Weights.Length; i++) maxAbs[ChannelOf(i)] = Math.Max(maxAbs[ChannelOf(i)], Math.Abs(p.Weights[i]));
        // An all-zero channel quantizes to zeros with any scale; 1 keeps its multiplier finite.
        float[] scales = maxAbs.Select(m => m > 0 ? m / 127f : 1f).ToArray();

        var weights = new sbyte[p.Weights.Length];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = (sbyte)Math.Clamp(MathF.Round(p.Weights[i] / scales[ChannelOf(i)], MidpointRounding.AwayFromZero), -127, 127);

        var bias = new int[channels];
        for (int c = 0; c < channels; c++)
        {
            double biasScale = (double)inputScale * scales[perTensor ? 0 : c];
            bias[c] = (int)Math.Clamp(Math.Round(p.Bias[c] / biasScale, MidpointRounding.AwayFromZero), int.MinValue, int.MaxValue);
        }
        var multipliers = scales.Select(w => QuantMath.QuantizeMultiplier((double)inputScale * w / outputScale)).ToArray();
        return new Int8Params(weights, scales, bias, multipliers);
    }

    /// <summary>
    /// The int8 clamp a fused activation becomes, TFLite's CalculateActivationRangeQuantized:
    /// ReLU clamps below at <c>zp + round(0 / scale)</c>, ReLU6 also above at <c>zp + round(6 / scale)</c>.
    /// </summary>
    public static (int Min, int Max) ActivationRange(FusedActivation activation, TensorQuantization output)
    {
        int Quantize(float f) => output.ZeroPoint + (int)MathF.Round(f / output.Scale, MidpointRounding.AwayFromZero);
        return activation switch
        {
            FusedActivation.Relu => (Math.Max(-128, Quantize(0f)), 127),
            FusedActivation.Relu6 => (Math.Max(-128, Quantize(0f)), Math.Min(127, Quantize(6f))),
            _ => (-128, 127),
        };
    }

    /// <summary>
    /// Quantizes features for the input tensor: <c>clamp(round(x / scale) + zero_point, -128, 127)</c> with the
    /// division in float32 and rounding half away from zero: in C exactly <c>roundf(x / scale) + zp</c>, then the clamp.
    /// </summary>
    public static void QuantizeValues(ReadOnlySpan<float> values, TensorQuantization q, Span<sbyte> destination)
    {
        if (destination.Length < values.Length) throw new ArgumentException("destination shorter than the values", nameof(destination));
        for (int i = 0; i < values.Length; i++)
        {
            float r = MathF.Round(values[i] / q.Scale, MidpointRounding.AwayFromZero);
            // Compare in float before converting: NaN and huge values must not hit an undefined float->int cast in C.
            float clamped = r + q.ZeroPoint;
            destination[i] = clamped >= 127f ? (sbyte)127 : clamped <= -128f ? (sbyte)-128 : float.IsNaN(clamped) ? (sbyte)q.ZeroPoint : (sbyte)(int)clamped;
        }
    }
}
