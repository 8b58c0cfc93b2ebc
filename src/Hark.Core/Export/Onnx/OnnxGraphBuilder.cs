using System.Runtime.InteropServices;

namespace Hark.Export.Onnx;

/// <summary>ONNX TensorProto.DataType values used by the exporters.</summary>
internal enum OnnxType { Float = 1, Int8 = 3, Int32 = 6, Int64 = 7 }

/// <summary>One node attribute: an int or a list of ints (all the exported ops need).</summary>
internal readonly record struct OnnxAttribute(string Name, long? Int = null, long[]? Ints = null)
{
    public static implicit operator OnnxAttribute((string Name, long Value) a) => new(a.Name, Int: a.Value);
    public static implicit operator OnnxAttribute((string Name, long[] Values) a) => new(a.Name, Ints: a.Values);
}

/// <summary>
/// Collects nodes, initializers, inputs and outputs and serializes them as an ONNX ModelProto
/// (field numbers from onnx/onnx.proto). Names are made unique by the builder, so exporters can name values after
/// the graph tensors they come from.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    /// <summary>IR version 8 (ONNX 1.10+) with opset 13: the first opset with per-axis QuantizeLinear/DequantizeLinear.</summary>
    public const long IrVersion = 8, Opset = 13;

    private readonly List<ProtoWriter> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    private readonly HashSet<string> _names;

    /// <param name="reserved">Names kept for the graph's input and outputs, so no internal value takes them.</param>
    public OnnxGraphBuilder(params string[] reserved) => _names = [.. reserved];

    public string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    public string Node(string opType, IReadOnlyList<string> inputs, string outputName, params OnnxAttribute[] attributes) =>
        NodeNamed(opType, inputs, Unique(outputName), attributes);

    private string NodeNamed(string opType, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.String(1, input);
        node.String(2, output).String(3, output).String(4, opType);
        foreach (var a in attributes)
        {
            var attribute = new ProtoWriter().String(1, a.Name);
            if (a.Int is { } i) attribute.Int64(3, i).Int64(20, 2);
            else if (a.Ints is { } ints) attribute.PackedInt64(8, ints).Int64(20, 7);
            node.Message(5, attribute);
        }
        _nodes.Add(node);
        return output;
    }

    public string Constant(string name, long[] dims, ReadOnlySpan<float> values) => Initializer(name, dims, OnnxType.Float, MemoryMarshal.AsBytes(values));
    public string Constant(string name, long[] dims, ReadOnlySpan<sbyte> values) => Initializer(name, dims, OnnxType.Int8, MemoryMarshal.AsBytes(values));
    public string Constant(string name, long[] dims, ReadOnlySpan<int> values) => Initializer(name, dims, OnnxType.Int32, MemoryMarshal.AsBytes(values));
    public string Constant(string name, long[] dims, ReadOnlySpan<long> values) => Initializer(name, dims, OnnxType.Int64, MemoryMarshal.AsBytes(values));

    public string Scalar(string name, float value) => Constant(name, [], [value]);
    public string Scalar(string name, sbyte value) => Constant(name, [], [value]);
    public string Scalar(string name, long value) => Constant(name, [], [value]);

    // raw_data is little-endian by the ONNX spec, which is this machine's (and .NET's supported targets') byte order.
    private string Initializer(string name, long[] dims, OnnxType type, ReadOnlySpan<byte> raw)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian machine");
        string unique = Unique(name);
        _initializers.Add(new ProtoWriter().PackedInt64(1, dims).Int64(2, (long)type).String(8, unique).Bytes(9, raw));
        return unique;
    }

    /// <summary>Declares a graph input under a name reserved at construction.</summary>
    public string Input(string name, OnnxType type, long[] shape)
    {
        _inputs.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output under a name reserved at construction (through an Identity).</summary>
    public void Output(string value, string name, OnnxType type, long[] shape) =>
        _outputs.Add(ValueInfo(NodeNamed("Identity", [value], name), type, shape));

    private static ProtoWriter ValueInfo(string name, OnnxType type, long[] shape)
    {
        var dims = new ProtoWriter();
        foreach (long d in shape) dims.Message(1, new ProtoWriter().Int64(1, d));
        var tensorType = new ProtoWriter().Int64(1, (long)type).Message(2, dims);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    public byte[] ToModel(string graphName, string docString, IReadOnlyDictionary<string, string> metadata)
    {
        var graph = new ProtoWriter();
        foreach (var node in _nodes) graph.Message(1, node);
        graph.String(2, graphName);
        foreach (var initializer in _initializers) graph.Message(5, initializer);
        graph.String(10, docString);
        foreach (var input in _inputs) graph.Message(11, input);
        foreach (var output in _outputs) graph.Message(12, output);

        var model = new ProtoWriter()
            .Int64(1, IrVersion)
            .String(2, "hark")
            .String(3, typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "unknown")
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int64(2, Opset));
        foreach (var (key, value) in metadata) model.Message(14, new ProtoWriter().String(1, key).String(2, value));
        return model.ToArray();
    }
}
