using System.Text;
using Google.FlatBuffers;
using Hark.Engine;
using Hark.Export.Tflite;
using Xunit.Abstractions;

namespace Hark.Tests.Export;

public class TfliteExportTests(ITestOutputHelper output)
{
    /// <summary>Size of the MLPerf Tiny reference int8 DS-CNN-S .tflite (ARM's is 54,464 B).</summary>
    private const int MlperfDsCnnSBytes = 53_936;

    private static readonly Lazy<QuantizedGraph> DsCnnS = new(() => TfliteTestModels.Quantize(TfliteTestModels.DsCnnS(1), TfliteTestModels.Clips(60, 0).Features));
    private static readonly Lazy<QuantizedGraph> Cnn1d = new(() => TfliteTestModels.Quantize(TfliteTestModels.Cnn1d(2), TfliteTestModels.Clips(60, 0).Features));

    [SkippableFact]
    public void Dscnn_s_in_the_real_tflite_interpreter_equals_the_int8_engine() => AssertInterpreterEqualsEngine(DsCnnS.Value, 220);

    [SkippableFact]
    public void Cnn1d_with_pad_maxpool_and_add_in_the_real_tflite_interpreter_equals_the_int8_engine() =>
        AssertInterpreterEqualsEngine(Cnn1d.Value, 220);

    private void AssertInterpreterEqualsEngine(QuantizedGraph graph, int clipCount)
    {
        TfliteInterpreter.Require();
        var (clips, real) = TfliteTestModels.Clips(clipCount, 20);
        using var engine = new Int8Engine(graph, TfliteTestModels.FrontEnd, TfliteTestModels.Labels);
        var inputs = new sbyte[clips.Count * engine.InputLength];
        var expected = new sbyte[clips.Count * engine.OutputLength];
        for (int i = 0; i < clips.Count; i++)
        {
            var input = inputs.AsSpan(i * engine.InputLength, engine.InputLength);
            engine.QuantizeInput(clips[i], input);
            engine.RunInt8(input, expected.AsSpan(i * engine.OutputLength, engine.OutputLength));
        }

        sbyte[] actual = TfliteInterpreter.Run(TfliteExporter.ToBytes(graph, TfliteTestModels.Labels), inputs);

        Assert.Equal(expected.Length, actual.Length);
        int differing = Enumerable.Range(0, clips.Count)
            .Count(i => !expected.AsSpan(i * engine.OutputLength, engine.OutputLength).SequenceEqual(actual.AsSpan(i * engine.OutputLength, engine.OutputLength)));
        output.WriteLine($"{clips.Count} {(real ? "real Speech Commands" : "synthetic")} clips, {differing} differ");
        Assert.Equal(0, differing);
        // Not trivially equal: the clips reach several classes and the outputs are not saturated.
        var winners = Enumerable.Range(0, clips.Count).Select(i => ArgMax(expected.AsSpan(i * engine.OutputLength, engine.OutputLength))).Distinct().Count();
        Assert.True(winners >= 3, $"only {winners} distinct top classes");
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
        var graph = Cnn1d.Value;
        int pool = graph.Ops.ToList().FindIndex(o => o.Spec.Kind == OpKind.MaxPool2D);
        var ops = graph.Ops.ToArray();
        // An average pool over the same asymmetric window: a PAD op would change what it divides by.
        ops[pool] = ops[pool] with { Spec = ops[pool].Spec with { Kind = OpKind.AveragePool2D } };
        var changed = new QuantizedGraph(graph.Tensors, ops, graph.Input, graph.Output);
        var e = Assert.Throws<HarkException>(() => TfliteExporter.ToBytes(changed, TfliteTestModels.Labels));
        Assert.Contains("pool1", e.Message);
        Assert.Throws<ArgumentException>(() => TfliteExporter.ToBytes(graph, TfliteTestModels.Labels[..5]));
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
