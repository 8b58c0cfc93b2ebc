using CsCheck;
using Hark.Engine;
using Hark.Quantization;

namespace Hark.Tests.Engine;

public class QuantizerTests
{
    [Fact]
    public void Activation_ranges_are_widened_to_zero_and_map_their_ends_onto_the_int8_range()
    {
        var q = Quantizer.ForRange(new TensorRange(-2.55f, 0f));
        Assert.Equal(0.01f, q.Scale, 6);
        Assert.Equal(127, q.ZeroPoint);

        var positive = Quantizer.ForRange(new TensorRange(1f, 5.1f)); // widened to [0, 5.1]
        Assert.Equal(0.02f, positive.Scale, 6);
        Assert.Equal(-128, positive.ZeroPoint);

        Gen.Select(Gen.Float[-1000, 0], Gen.Float[0, 1000]).Where((a, b) => b - a > 1e-3f).Sample((min, max) =>
        {
            var r = Quantizer.ForRange(new TensorRange(min, max));
            // Zero is exactly representable and both ends land within half a step of -128 and 127.
            Assert.InRange(r.ZeroPoint, -128, 127);
            Assert.InRange(min / r.Scale + r.ZeroPoint, -128.51, -127.49);
            Assert.InRange(max / r.Scale + r.ZeroPoint, 126.49, 127.51);
        });
    }

    [Fact]
    public void Weights_round_trip_within_half_a_step_per_channel_and_bias_uses_the_input_times_weight_scale()
    {
        var floatGraph = TestGraphs.Small(1);
        var quantized = Quantizer.Quantize(floatGraph, Quantizer.Calibrate(floatGraph, TestGraphs.Inputs(16, 1)));
        int weighted = 0;
        for (int i = 0; i < floatGraph.Ops.Count; i++)
        {
            if (floatGraph.Ops[i].Params is not { } f) continue;
            var q = quantized.Ops[i].Params!;
            var spec = floatGraph.Ops[i].Spec;
            int channels = f.Bias.Length;
            Assert.Equal(spec.Kind == OpKind.FullyConnected ? 1 : channels, q.WeightScales.Length);
            int ChannelOf(int k) => q.WeightScales.Length == 1 ? 0 : spec.Kind == OpKind.DepthwiseConv2D ? k % channels : k / (f.Weights.Length / channels);
            for (int k = 0; k < f.Weights.Length; k++)
            {
                float scale = q.WeightScales[ChannelOf(k)];
                Assert.InRange(q.Weights[k], -127, 127);
                Assert.True(Math.Abs(q.Weights[k] * scale - f.Weights[k]) <= scale / 2 * 1.0001, $"op {i} weight {k}");
            }
            // The largest magnitude of every channel uses the full range.
            for (int ch = 0; ch < q.WeightScales.Length; ch++)
                Assert.Equal(127, Enumerable.Range(0, f.Weights.Length).Where(k => ChannelOf(k) == ch).Max(k => Math.Abs((int)q.Weights[k])));

            float inputScale = quantized.Tensors[spec.Inputs[0]].Quantization!.Value.Scale;
            float outputScale = quantized.Tensors[spec.Output].Quantization!.Value.Scale;
            for (int ch = 0; ch < channels; ch++)
            {
                double biasScale = (double)inputScale * q.WeightScales[q.WeightScales.Length == 1 ? 0 : ch];
                Assert.True(Math.Abs(q.Bias[ch] * biasScale - f.Bias[ch]) <= biasScale / 2 * 1.0001);
            }
            for (int ch = 0; ch < q.Multipliers.Length; ch++)
                Assert.Equal((double)inputScale * q.WeightScales[ch] / outputScale, q.Multipliers[ch].ToReal(), 1e-6);
            weighted++;
        }
        Assert.Equal(4, weighted);
    }

    [Fact]
    public void Pooling_keeps_its_input_quantization_and_softmax_has_tflites_fixed_output()
    {
        var graph = TestGraphs.Quantized(2);
        Assert.Empty(GraphValidation.Problems(graph));
        Assert.Equal(graph.Tensors[4].Quantization, graph.Tensors[5].Quantization);
        Assert.Equal(new TensorQuantization(1f / 256, -128), graph.OutputQuantization);
    }

    [Fact]
    public void Fused_activations_become_tflites_clamps()
    {
        var q = new TensorQuantization(0.05f, -100);
        Assert.Equal((-128, 127), Quantizer.ActivationRange(FusedActivation.None, q));
        Assert.Equal((-100, 127), Quantizer.ActivationRange(FusedActivation.Relu, q));
        Assert.Equal((-100, 20), Quantizer.ActivationRange(FusedActivation.Relu6, q));
    }

    [Fact]
    public void Input_quantization_rounds_half_away_from_zero_and_clamps()
    {
        var q = new TensorQuantization(0.5f, 3);
        var output = new sbyte[7];
        Quantizer.QuantizeValues([0.25f, -0.25f, 0.74f, 1000f, -1000f, float.NaN, -0.75f], q, output);
        Assert.Equal([4, 2, 4, 127, -128, 3, 1], output);
    }

    [Fact]
    public void Calibration_quantile_ignores_a_rare_outlier()
    {
        var graph = TestGraphs.Small(3);
        var inputs = TestGraphs.Inputs(200, 3);
        inputs[17] = inputs[17].Select(v => v * 20).ToArray();
        float full = Quantizer.Calibrate(graph, inputs)[0].Min;
        float clipped = Quantizer.Calibrate(graph, inputs, 0.99)[0].Min;
        Assert.True(full < 5 * clipped, $"outlier minimum {full} vs clipped {clipped}");
        Assert.True(clipped < -150);
    }
}
