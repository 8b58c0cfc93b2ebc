using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Tests.Engine;

public class Int8EngineTests
{
    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    [Fact]
    public void Engine_agrees_with_the_float_graph()
    {
        var floatGraph = TestGraphs.Small(4);
        var quantized = Quantizer.Quantize(floatGraph, Quantizer.Calibrate(floatGraph, TestGraphs.Inputs(100, 4)));
        var executor = new FloatExecutor(floatGraph);
        using var engine = new Int8Engine(quantized, TestGraphs.FrontEnd, TestGraphs.Labels);
        var inputs = TestGraphs.Inputs(200, 5);
        var probabilities = new float[TestGraphs.Classes];
        int agree = 0;
        double absDiff = 0;
        foreach (var x in inputs)
        {
            var expected = executor.Run(x);
            engine.Predict(x, probabilities);
            agree += ArgMax(expected) == ArgMax(probabilities) ? 1 : 0;
            for (int c = 0; c < probabilities.Length; c++) absDiff += Math.Abs(expected[c] - probabilities[c]);
        }
        double meanDiff = absDiff / (inputs.Count * TestGraphs.Classes);
        Assert.True(agree >= 0.95 * inputs.Count, $"top-1 agreement {agree}/{inputs.Count}");
        Assert.True(meanDiff < 0.02, $"mean |p_float - p_int8| = {meanDiff}");
        // Not trivially agreeing: the inputs do reach more than one class.
        Assert.True(inputs.Select(x => ArgMax(executor.Run(x))).Distinct().Count() > 1);
    }

    [Fact]
    public void Engine_is_deterministic_and_matches_its_int8_path()
    {
        using var a = new Int8Engine(TestGraphs.Quantized(6), TestGraphs.FrontEnd, TestGraphs.Labels);
        using var b = new Int8Engine(TestGraphs.Quantized(6), TestGraphs.FrontEnd, TestGraphs.Labels);
        foreach (var x in TestGraphs.Inputs(20, 7))
        {
            var q = new sbyte[a.InputLength];
            a.QuantizeInput(x, q);
            sbyte[] first = a.RunInt8(q), again = a.RunInt8(q), other = b.RunInt8(q);
            Assert.Equal(first, again);
            Assert.Equal(first, other);
            float[] p = a.PredictBatch(x, 1)[0];
            Assert.Equal(first.Select(v => (v + 128) / 256f), p);
        }
    }

    [Fact]
    public void Inference_does_not_allocate()
    {
        using var engine = new Int8Engine(TestGraphs.Quantized(8), TestGraphs.FrontEnd, TestGraphs.Labels);
        var x = TestGraphs.Inputs(1, 8)[0];
        var probabilities = new float[engine.OutputLength];
        var q = new sbyte[engine.InputLength];
        var raw = new sbyte[engine.OutputLength];
        engine.Predict(x, probabilities);
        engine.QuantizeInput(x, q);
        engine.RunInt8(q, raw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            engine.Predict(x, probabilities);
            engine.QuantizeInput(x, q);
            engine.RunInt8(q, raw);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Arena_reuses_memory_but_keeps_the_residual_input_alive()
    {
        var graph = TestGraphs.Quantized(9);
        var plan = ArenaPlan.For(graph);
        // conv (1000 B) must survive until the add reads it, while dw and pw (1000 B each) are computed.
        Assert.Equal(3000, plan.Size);
        static bool Overlap(int a, int aLen, int b, int bLen) => a < b + bLen && b < a + aLen;
        Assert.False(Overlap(plan.Offsets[1], 1000, plan.Offsets[3], 1000));
        Assert.False(Overlap(plan.Offsets[1], 1000, plan.Offsets[4], 1000));
        Assert.Equal(new GraphStats(8 * 40 + 8 * 9 + 64 + 24 + 8 * 3 + 3, 25 * 5 * 8 * 40 + 25 * 5 * 8 * 9 + 25 * 5 * 8 * 8 + 24,
            8 * 40 + 8 * 9 + 64 + 24, 4 * (8 * 3 + 3), 3000), GraphStats.Of(graph));
    }

    [Fact]
    public void Engine_refuses_a_graph_that_does_not_fit_the_front_end_or_labels()
    {
        var graph = TestGraphs.Quantized(10);
        Assert.Contains("labels", Assert.Throws<ArgumentException>(() => new Int8Engine(graph, TestGraphs.FrontEnd, ["a", "b"])).Message);
        var other = TestGraphs.FrontEnd with { StrideMs = 10 };
        Assert.Contains("front end", Assert.Throws<ArgumentException>(() => new Int8Engine(graph, other, TestGraphs.Labels)).Message);
        Assert.Equal(new Dims(1, 49, 10, 1), graph.InputShape);
    }
}
