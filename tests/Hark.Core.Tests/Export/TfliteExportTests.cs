using System.Text;
using Google.FlatBuffers;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;
using Hark.Export.Tflite;
using Xunit.Abstractions;

namespace Hark.Tests.Export;

public class TfliteExportTests(ITestOutputHelper output)
{
    /// <summary>Size of the MLPerf Tiny reference int8 DS-CNN-S .tflite (ARM's is 54,464 B).</summary>
    private const int MlperfDsCnnSBytes = 53_936;

    private static readonly Lazy<QuantizedGraph> DsCnnS = new(() => TfliteTestModels.Quantize(TfliteTestModels.DsCnnS(1), TfliteTestModels.Clips(60, 0).Features));
    private static readonly Lazy<QuantizedGraph> Cnn1d = new(() => TfliteTestModels.Quantize(TfliteTestModels.Cnn1d(2), TfliteTestModels.Clips(60, 0).Features));

    private static readonly Lazy<QuantizedGraph> ReferenceOps =
        new(() => TfliteTestModels.Quantize(TfliteTestModels.ReferenceOps(3), TfliteTestModels.Clips(60, 0).Features));

    /// <summary>
    /// Exact equality where TFLite's own kernels use the same arithmetic as TFLite Micro's reference kernels (which
    /// Int8Kernels and the C runtime follow): every op but CONV_2D and FULLY_CONNECTED. The file leaves out the
    /// depthwise bias quantization only so that desktop TFLite's XNNPACK delegate (fp32 requantization, never part
    /// of TFLite Micro) declines the op and TFLite's builtin kernel runs.
    /// </summary>
    [SkippableFact]
    public void Depthwise_pad_add_pooling_reshape_and_softmax_in_tflite_equal_the_int8_engine_exactly()
    {
        TfliteInterpreter.Require();
        var graph = ReferenceOps.Value;
        var (clips, real) = TfliteTestModels.Clips(220, 20);
        var (inputs, expected) = RunEngine(graph, TfliteTestModels.ReferenceOpsLabels, clips);
        sbyte[] actual = TfliteInterpreter.Run(TfliteExporter.ToBytes(graph, TfliteTestModels.ReferenceOpsLabels, biasQuantization: false), inputs);

        int outputs = graph.OutputShape.FlatSize;
        int differing = Enumerable.Range(0, clips.Count)
            .Count(i => !expected.AsSpan(i * outputs, outputs).SequenceEqual(actual.AsSpan(i * outputs, outputs)));
        output.WriteLine($"{clips.Count} {(real ? "real Speech Commands" : "synthetic")} clips, {differing} differ");
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(0, differing);
        int winners = Enumerable.Range(0, clips.Count).Select(i => ArgMax(expected.AsSpan(i * outputs, outputs))).Distinct().Count();
        Assert.True(winners >= 3, $"only {winners} distinct top classes");
    }

    /// <summary>
    /// Desktop TFLite runs int8 CONV_2D through ruy's GEMM, which requantizes with one rounding
    /// (<c>(acc * M + 2^(s-1)) >> s</c>); TFLite Micro's reference kernels and CMSIS-NN round twice
    /// (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT), as Int8Kernels does. This shows that exactly
    /// this, and nothing in the exported weights, layout, padding, bias or multipliers, separates the two.
    /// </summary>
    [SkippableFact]
    public void Conv2d_in_tflite_differs_from_the_engine_only_in_rounding_mode()
    {
        TfliteInterpreter.Require();
        var graph = DsCnnS.Value;
        var conv = graph.Ops[0];
        Dims inDims = graph.InputShape, outDims = graph.Tensors[conv.Spec.Output].Shape;
        var truncated = new QuantizedGraph(graph.Tensors, [conv], graph.Input, conv.Spec.Output);
        var labels = Enumerable.Range(0, outDims.FlatSize).Select(i => $"v{i}").ToArray();
        var (clips, _) = TfliteTestModels.Clips(100, 20);
        var inputs = new sbyte[clips.Count * inDims.FlatSize];
        for (int i = 0; i < clips.Count; i++)
            Quantizer.QuantizeValues(clips[i], graph.InputQuantization, inputs.AsSpan(i * inDims.FlatSize, inDims.FlatSize));
        sbyte[] tflite = TfliteInterpreter.Run(TfliteExporter.ToBytes(truncated, labels, biasQuantization: false), inputs);

        var inQ = graph.InputQuantization;
        var outQ = graph.Tensors[conv.Spec.Output].Quantization!.Value;
        var (min, max) = Quantizer.ActivationRange(conv.Spec.Activation, outQ);
        var p = conv.Params!;
        var convParams = new ConvParams(-inQ.ZeroPoint, outQ.ZeroPoint, conv.Spec.StrideH, conv.Spec.StrideW, conv.Spec.Padding.Top, conv.Spec.Padding.Left, min, max);
        int[] multipliers = p.Multipliers.Select(m => m.Multiplier).ToArray(), shifts = p.Multipliers.Select(m => m.Shift).ToArray();
        var engine = new sbyte[outDims.FlatSize];
        int roundingDifferences = 0;
        for (int i = 0; i < clips.Count; i++)
        {
            var x = inputs.AsSpan(i * inDims.FlatSize, inDims.FlatSize);
            var theirs = tflite.AsSpan(i * outDims.FlatSize, outDims.FlatSize);
            Int8Kernels.ConvS8(convParams, new PerChannelQuant(multipliers, shifts), inDims, x, conv.Spec.Kernel, p.Weights, p.Bias, outDims, engine);
            sbyte[] singleRounding = ConvWithSingleRounding(conv, x, inDims, outDims, inQ.ZeroPoint, outQ.ZeroPoint, min, max);
            Assert.Equal(singleRounding, theirs.ToArray());
            for (int v = 0; v < engine.Length; v++)
            {
                Assert.InRange(engine[v] - theirs[v], -1, 1);
                if (engine[v] != theirs[v]) roundingDifferences++;
            }
        }
        output.WriteLine($"conv1: {roundingDifferences} of {clips.Count * outDims.FlatSize} values differ by one (rounding mode)");
        Assert.True(roundingDifferences > 0, "the two rounding modes never disagreed, so this test shows nothing");
    }

    /// <summary>
    /// FULLY_CONNECTED runs in XNNPACK (fp32 requantization, round half to even) even when the bias has a quantization,
    /// since TFLite's builtin FC needs one. Given TFLite's own pooled input, every logit is what one rounding of the
    /// exact accumulator gives, and at most one step from the engine's twice-rounded value.
    /// </summary>
    [SkippableFact]
    public void Fully_connected_in_tflite_differs_from_the_engine_only_in_rounding_mode()
    {
        TfliteInterpreter.Require();
        var graph = DsCnnS.Value;
        int fcIndex = graph.Ops.ToList().FindIndex(o => o.Spec.Kind == OpKind.FullyConnected);
        var fc = graph.Ops[fcIndex];
        int pooled = fc.Spec.Inputs[0], logits = fc.Spec.Output, depth = fc.Spec.Kernel.C, units = fc.Spec.Kernel.N;
        var (clips, _) = TfliteTestModels.Clips(220, 20);
        var inputs = new sbyte[clips.Count * graph.InputShape.FlatSize];
        for (int i = 0; i < clips.Count; i++)
            Quantizer.QuantizeValues(clips[i], graph.InputQuantization, inputs.AsSpan(i * graph.InputShape.FlatSize, graph.InputShape.FlatSize));
        string[] Names(int n) => Enumerable.Range(0, n).Select(i => $"v{i}").ToArray();
        sbyte[] RunUpTo(int opCount, int tensor, int size) => TfliteInterpreter.Run(TfliteExporter.ToBytes(
            new QuantizedGraph(graph.Tensors, graph.Ops.Take(opCount).ToArray(), graph.Input, tensor), Names(size), biasQuantization: false), inputs);
        sbyte[] x = RunUpTo(fcIndex, pooled, depth), tflite = RunUpTo(fcIndex + 1, logits, units);

        var inQ = graph.Tensors[pooled].Quantization!.Value;
        var outQ = graph.Tensors[logits].Quantization!.Value;
        var p = fc.Params!;
        var engine = new sbyte[units];
        float fp32Scale = inQ.Scale * p.WeightScales[0] / outQ.Scale;
        int roundingDifferences = 0;
        for (int i = 0; i < clips.Count; i++)
        {
            Int8Kernels.FullyConnectedS8(new FullyConnectedParams(-inQ.ZeroPoint, 0, outQ.ZeroPoint), p.Multipliers[0],
                graph.Tensors[pooled].Shape, x.AsSpan(i * depth, depth), fc.Spec.Kernel, p.Weights, p.Bias, graph.Tensors[logits].Shape, engine);
            for (int o = 0; o < units; o++)
            {
                int acc = p.Bias[o];
                for (int d = 0; d < depth; d++) acc += p.Weights[o * depth + d] * (x[i * depth + d] - inQ.ZeroPoint);
                int fp32 = Math.Clamp((int)MathF.Round(acc * fp32Scale, MidpointRounding.ToEven) + outQ.ZeroPoint, -128, 127);
                int theirs = tflite[i * units + o];
                Assert.Equal(fp32, theirs);
                Assert.InRange(engine[o] - theirs, -1, 1);
                if (engine[o] != theirs) roundingDifferences++;
            }
        }
        output.WriteLine($"logits: {roundingDifferences} of {clips.Count * units} values differ by one (rounding mode)");
    }

    private static sbyte[] ConvWithSingleRounding(GraphOp<Int8Params> conv, ReadOnlySpan<sbyte> x, Dims inDims, Dims outDims, int inZero, int outZero, int min, int max)
    {
        var s = conv.Spec;
        var p = conv.Params!;
        var y = new sbyte[outDims.FlatSize];
        for (int oy = 0; oy < outDims.H; oy++)
        for (int ox = 0; ox < outDims.W; ox++)
        for (int oc = 0; oc < outDims.C; oc++)
        {
            long acc = p.Bias[oc];
            for (int fy = 0; fy < s.Kernel.H; fy++)
            for (int fx = 0; fx < s.Kernel.W; fx++)
            for (int ic = 0; ic < inDims.C; ic++)
            {
                int iy = oy * s.StrideH - s.Padding.Top + fy, ix = ox * s.StrideW - s.Padding.Left + fx;
                if (iy < 0 || iy >= inDims.H || ix < 0 || ix >= inDims.W) continue;
                acc += p.Weights[((oc * s.Kernel.H + fy) * s.Kernel.W + fx) * inDims.C + ic] * (x[(iy * inDims.W + ix) * inDims.C + ic] - inZero);
            }
            int totalShift = 31 - p.Multipliers[oc].Shift;
            long scaled = (acc * p.Multipliers[oc].Multiplier + (1L << (totalShift - 1))) >> totalShift;
            y[(oy * outDims.W + ox) * outDims.C + oc] = (sbyte)Math.Clamp(scaled + outZero, min, max);
        }
        return y;
    }

    /// <summary>
    /// The shipped file end to end in desktop TFLite, where XNNPACK (fp32 requantization) and ruy (single rounding)
    /// run the convolutions: the same top class on nearly every clip and outputs within two steps of 1/256 on average (measured: 0.1 to 0.9).
    /// </summary>
    [SkippableFact]
    public void Dscnn_s_in_desktop_tflite_agrees_with_the_int8_engine() => AssertInterpreterAgreesWithEngine(DsCnnS.Value);

    [SkippableFact]
    public void Cnn1d_with_pad_maxpool_and_add_in_desktop_tflite_agrees_with_the_int8_engine() => AssertInterpreterAgreesWithEngine(Cnn1d.Value);

    private void AssertInterpreterAgreesWithEngine(QuantizedGraph graph)
    {
        TfliteInterpreter.Require();
        var (clips, real) = TfliteTestModels.Clips(220, 20);
        var (inputs, expected) = RunEngine(graph, TfliteTestModels.Labels, clips);
        sbyte[] actual = TfliteInterpreter.Run(TfliteExporter.ToBytes(graph, TfliteTestModels.Labels), inputs);
        Assert.Equal(expected.Length, actual.Length);

        int outputs = graph.OutputShape.FlatSize, sameTop = 0, exact = 0, maxStep = 0;
        long totalSteps = 0;
        for (int i = 0; i < clips.Count; i++)
        {
            var e = expected.AsSpan(i * outputs, outputs);
            var a = actual.AsSpan(i * outputs, outputs);
            sameTop += ArgMax(e) == ArgMax(a) ? 1 : 0;
            exact += e.SequenceEqual(a) ? 1 : 0;
            for (int c = 0; c < outputs; c++)
            {
                maxStep = Math.Max(maxStep, Math.Abs(e[c] - a[c]));
                totalSteps += Math.Abs(e[c] - a[c]);
            }
        }
        double meanSteps = (double)totalSteps / expected.Length;
        output.WriteLine($"{clips.Count} {(real ? "real Speech Commands" : "synthetic")} clips: {exact} identical, {sameTop} same top class, " +
                         $"mean difference {meanSteps:F3}/256, max {maxStep}/256");
        // A wrong layout, padding or scale would leave chance agreement (1 in 12); one-step rounding differences
        // only move clips whose top classes nearly tie, though a near tie can move much probability.
        Assert.True(sameTop >= 0.95 * clips.Count, $"same top class on only {sameTop} of {clips.Count} clips");
        Assert.True(meanSteps <= 2.0, $"outputs differ by {meanSteps:F3}/256 on average");
        int winners = Enumerable.Range(0, clips.Count).Select(i => ArgMax(expected.AsSpan(i * outputs, outputs))).Distinct().Count();
        Assert.True(winners >= 2, $"only {winners} distinct top classes");
    }

    private static (sbyte[] Inputs, sbyte[] Outputs) RunEngine(QuantizedGraph graph, string[] labels, List<float[]> clips)
    {
        using var engine = new Int8Engine(graph, TfliteTestModels.FrontEnd, labels);
        var inputs = new sbyte[clips.Count * engine.InputLength];
        var outputs = new sbyte[clips.Count * engine.OutputLength];
        for (int i = 0; i < clips.Count; i++)
        {
            var input = inputs.AsSpan(i * engine.InputLength, engine.InputLength);
            engine.QuantizeInput(clips[i], input);
            engine.RunInt8(input, outputs.AsSpan(i * engine.OutputLength, engine.OutputLength));
        }
        return (inputs, outputs);
    }

    private static int ArgMax(ReadOnlySpan<sbyte> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    [Fact]
    public void Dscnn_s_file_is_smaller_than_the_mlperf_reference_and_holds_every_weight()
    {
        byte[] bytes = TfliteExporter.ToBytes(DsCnnS.Value, TfliteTestModels.Labels);
        var stats = GraphStats.Of(DsCnnS.Value);
        output.WriteLine($"dscnn-s .tflite: {bytes.Length} B; {stats.Parameters} parameters, {stats.WeightBytes} B int8 weights, {stats.BiasBytes} B int32 biases");
        Assert.True(bytes.Length < MlperfDsCnnSBytes, $"{bytes.Length} B is not below the MLPerf reference {MlperfDsCnnSBytes} B");
        var model = FlatTable.Root(bytes);
        long constantBytes = model.Tables(ModelField.Buffers).Sum(b => b.VectorLength(0));
        long labelBytes = Encoding.UTF8.GetByteCount(string.Join('\n', TfliteTestModels.Labels));
        Assert.Equal(stats.WeightBytes + stats.BiasBytes + labelBytes, constantBytes);
    }

    [Fact]
    public void File_parses_back_with_the_tflite_schema()
    {
        var graph = DsCnnS.Value;
        byte[] bytes = TfliteExporter.ToBytes(graph, TfliteTestModels.Labels);
        Assert.Equal("TFL3", Encoding.ASCII.GetString(bytes, 4, 4));
        Assert.True(new ByteBuffer(bytes).GetInt(0) < bytes.Length);

        var model = FlatTable.Root(bytes);
        Assert.Equal(3, model.Int(ModelField.Version));
        var buffers = model.Tables(ModelField.Buffers);
        Assert.Equal(0, buffers[0].VectorLength(0));
        var subgraphs = model.Tables(ModelField.Subgraphs);
        var subgraph = Assert.Single(subgraphs);
        var tensors = subgraph.Tables(0);
        var operators = subgraph.Tables(3);
        Assert.Equal(graph.Ops.Count, operators.Count);

        // Operator codes: builtin_code and deprecated_builtin_code both set, in first-use order, distinct.
        var codes = model.Tables(ModelField.OperatorCodes).Select(c => (Deprecated: c.SByte(0), Builtin: c.Int(3))).ToList();
        Assert.All(codes, c => Assert.Equal(Math.Min(c.Builtin, 127), c.Deprecated));
        Assert.Equal([3, 4, 1, 9, 25], codes.Select(c => c.Builtin));
        Assert.Equal(codes.Count, codes.Distinct().Count());

        // Input [1, 49, 10, 1] int8 and output [1, 12] int8 with TFLite's softmax quantization.
        var input = tensors[subgraph.Ints(1).Single()];
        Assert.Equal([1, 49, 10, 1], input.Ints(0));
        Assert.Equal(9, input.SByte(1));
        var outputTensor = tensors[subgraph.Ints(2).Single()];
        Assert.Equal([1, 12], outputTensor.Ints(0));
        var q = outputTensor.Table(4);
        Assert.Equal(1f / 256, q.Floats(2).Single());
        Assert.Equal(-128L, q.Longs(3).Single());

        // No float tensors; every constant buffer is used by exactly one tensor; per-channel weights on the right axis.
        Assert.All(tensors, t => Assert.Contains(t.SByte(1), new sbyte[] { 2, 9 }));
        var used = tensors.Select(t => t.Int(2)).Where(b => b != 0).ToList();
        Assert.Equal(used.Count, used.Distinct().Count());
        var metadata = Assert.Single(model.Tables(ModelField.Metadata));
        Assert.Equal(buffers.Count, used.Count + 2);
        Assert.DoesNotContain(metadata.Int(1), used);
        var depthwiseWeights = tensors[operators[1].Ints(1)[1]];
        Assert.Equal([1, 3, 3, 64], depthwiseWeights.Ints(0));
        Assert.Equal(3, depthwiseWeights.Table(4).Int(6));
        Assert.Equal(64, depthwiseWeights.Table(4).Floats(2).Length);
        var convBias = tensors[operators[0].Ints(1)[2]];
        Assert.Equal(2, convBias.SByte(1));
        float inputScale = graph.InputQuantization.Scale;
        Assert.Equal(graph.Ops[0].Params!.WeightScales.Select(w => (float)((double)inputScale * w)), convBias.Table(4).Floats(2));
    }

    [Fact]
    public void Labels_are_in_the_metadata()
    {
        var model = FlatTable.Root(TfliteExporter.ToBytes(Cnn1d.Value, TfliteTestModels.Labels));
        var metadata = Assert.Single(model.Tables(ModelField.Metadata));
        Assert.Equal(TfliteExporter.LabelsMetadataName, metadata.String(0));
        byte[] text = model.Tables(ModelField.Buffers)[metadata.Int(1)].Bytes(0);
        Assert.Equal(TfliteTestModels.Labels, Encoding.UTF8.GetString(text).Split('\n'));
    }

    [Fact]
    public void Export_is_deterministic_and_writes_atomically()
    {
        byte[] first = TfliteExporter.ToBytes(DsCnnS.Value, TfliteTestModels.Labels);
        string dir = TestPaths.NewTempDir("tflite-export");
        string path = Path.Combine(dir, "model.tflite");
        TfliteExporter.Write(DsCnnS.Value, TfliteTestModels.Labels, path);
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void Padding_tflite_cannot_express_exactly_is_refused()
    {
        var graph = ReferenceOps.Value;
        int max = graph.Ops.ToList().FindIndex(o => o.Spec.Kind == OpKind.MaxPool2D);
        int sum = graph.Ops.ToList().FindIndex(o => o.Spec.Kind == OpKind.Add);
        QuantizedGraph With(int index, OpSpec spec)
        {
            var ops = graph.Ops.ToArray();
            ops[index] = ops[index] with { Spec = spec };
            return new QuantizedGraph(graph.Tensors, ops, graph.Input, graph.Output);
        }

        // The max pool's padding is neither SAME nor VALID; it exports (via PAD) because its input is ReLU-clamped.
        Assert.NotEmpty(TfliteExporter.ToBytes(graph, TfliteTestModels.ReferenceOpsLabels));
        // Average pooling over it would divide by the padded positions too.
        var e = Assert.Throws<HarkException>(() => TfliteExporter.ToBytes(
            With(max, graph.Ops[max].Spec with { Kind = OpKind.AveragePool2D }), TfliteTestModels.ReferenceOpsLabels));
        Assert.Contains("'max'", e.Message);
        // Without the ReLU and with values below real 0 representable, a padded zero could beat a whole window.
        var unclamped = With(sum, graph.Ops[sum].Spec with { Activation = FusedActivation.None });
        var sumQ = graph.Tensors[graph.Ops[sum].Spec.Output].Quantization!.Value;
        var tensors = unclamped.Tensors.Select(t => t.Quantization == sumQ ? t with { Quantization = sumQ with { ZeroPoint = 0 } } : t).ToArray();
        e = Assert.Throws<HarkException>(() => TfliteExporter.ToBytes(
            new QuantizedGraph(tensors, unclamped.Ops, graph.Input, graph.Output), TfliteTestModels.ReferenceOpsLabels));
        Assert.Contains("maximum", e.Message);
        Assert.Throws<ArgumentException>(() => TfliteExporter.ToBytes(graph, TfliteTestModels.Labels));
    }

    [SkippableFact]
    public void Interpreter_rejects_a_truncated_or_corrupt_file()
    {
        TfliteInterpreter.Require();
        byte[] good = TfliteExporter.ToBytes(DsCnnS.Value, TfliteTestModels.Labels);
        var input = new sbyte[49 * 10];
        Assert.Equal(12, TfliteInterpreter.Run(good, input).Length);
        var truncated = Assert.Throws<InvalidOperationException>(() => TfliteInterpreter.Run(good[..(good.Length / 2)], input));
        Assert.Contains("Failed to create TFLiteWebModelRunner", truncated.Message);
        byte[] corrupt = (byte[])good.Clone();
        corrupt[4] = (byte)'X';
        var wrongIdentifier = Assert.Throws<InvalidOperationException>(() => TfliteInterpreter.Run(corrupt, input));
        Assert.Contains("Failed to create TFLiteWebModelRunner", wrongIdentifier.Message);
    }

    private static class ModelField
    {
        public const int Version = 0, OperatorCodes = 1, Subgraphs = 2, Buffers = 4, Metadata = 6;
    }

    /// <summary>Reads flatbuffer tables by field slot, independently of the exporter's writing code.</summary>
    private readonly struct FlatTable(ByteBuffer bb, int position)
    {
        private readonly Table _table = new(position, bb);

        public static FlatTable Root(byte[] bytes)
        {
            var bb = new ByteBuffer(bytes);
            return new FlatTable(bb, bb.GetInt(0));
        }

        private int Field(int slot) => _table.__offset(4 + 2 * slot);

        public int Int(int slot) => Field(slot) == 0 ? 0 : bb.GetInt(position + Field(slot));
        public sbyte SByte(int slot) => Field(slot) == 0 ? (sbyte)0 : bb.GetSbyte(position + Field(slot));
        public string? String(int slot) => Field(slot) == 0 ? null : _table.__string(position + Field(slot));
        public FlatTable Table(int slot) => new(bb, _table.__indirect(position + Field(slot)));
        public int VectorLength(int slot) => Field(slot) == 0 ? 0 : _table.__vector_len(Field(slot));

        private IEnumerable<int> Elements(int slot, int size)
        {
            int start = Field(slot) == 0 ? 0 : _table.__vector(Field(slot));
            return Enumerable.Range(0, VectorLength(slot)).Select(i => start + i * size);
        }

        public List<FlatTable> Tables(int slot)
        {
            var (b, t) = (bb, _table);
            return Elements(slot, 4).Select(p => new FlatTable(b, t.__indirect(p))).ToList();
        }

        public int[] Ints(int slot)
        {
            var b = bb;
            return Elements(slot, 4).Select(p => b.GetInt(p)).ToArray();
        }

        public float[] Floats(int slot)
        {
            var b = bb;
            return Elements(slot, 4).Select(p => b.GetFloat(p)).ToArray();
        }

        public long[] Longs(int slot)
        {
            var b = bb;
            return Elements(slot, 8).Select(p => b.GetLong(p)).ToArray();
        }

        public byte[] Bytes(int slot)
        {
            var b = bb;
            return Elements(slot, 1).Select(p => b.Get(p)).ToArray();
        }
    }
}
