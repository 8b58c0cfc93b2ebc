using Hark.Engine;

namespace Hark.Export.Onnx;

/// <summary>
/// Writes a Hark graph as an ONNX model (opset 13, IR 8) with no protobuf dependency. Three variants:
/// <list type="bullet">
/// <item><see cref="Float"/>: the float graph (batch norm folded). Input <c>features</c> float
/// <c>[1, frames, featuresPerFrame]</c> (the front end's row-major output), output <c>probabilities</c> float
/// <c>[1, classes]</c>.</item>
/// <item><see cref="Qdq"/>: the int8 graph in the QDQ form tools understand (Netron, STM32Cube.AI, ONNX Runtime's
/// quantized kernels): int8 weights with per-output-channel scales (axis 0), int32 biases, per-tensor activation
/// QuantizeLinear/DequantizeLinear pairs. ONNX Runtime fuses it into QLinear kernels that requantize in float, so
/// outputs can differ from <see cref="Int8Engine"/> by a step here and there.</item>
/// <item><see cref="IntegerExact"/>: the same int8 graph with TFLite's fixed-point requantization and softmax
/// spelled out in int64 ONNX ops: its outputs equal <see cref="Int8Engine"/>'s bit for bit.</item>
/// </list>
/// Both int8 variants take <c>features</c> int8 <c>[1, frames, featuresPerFrame]</c>, quantized as
/// <see cref="Int8Engine.QuantizeInput"/> does (metadata <c>input_scale</c>, <c>input_zero_point</c>; round half away
/// from zero, which ONNX's QuantizeLinear does not do), and give <c>probabilities</c> int8 <c>[1, classes]</c> with
/// scale 1/256 and zero point -128, as TFLite's int8 softmax. Labels are in metadata_props <c>labels</c>, one per line,
/// in output order.
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "features", OutputName = "probabilities", LabelsKey = "labels";

    public static byte[] Float(FloatGraph graph, IReadOnlyList<string> labels)
    {
        Check(graph, labels);
        return new FloatOnnx(graph).Build(Metadata(labels, null));
    }

    public static byte[] Qdq(QuantizedGraph graph, IReadOnlyList<string> labels)
    {
        Check(graph, labels);
        return new QdqOnnx(graph).Build(Metadata(labels, graph.InputQuantization));
    }

    /// <exception cref="HarkException">A layer's int32 accumulation could exceed what float convolution sums exactly.</exception>
    public static byte[] IntegerExact(QuantizedGraph graph, IReadOnlyList<string> labels)
    {
        Check(graph, labels);
        return new IntegerExactOnnx(graph).Build(Metadata(labels, graph.InputQuantization));
    }

    public static void WriteFloat(string path, FloatGraph graph, IReadOnlyList<string> labels) => WriteAtomically(path, Float(graph, labels));
    public static void WriteQdq(string path, QuantizedGraph graph, IReadOnlyList<string> labels) => WriteAtomically(path, Qdq(graph, labels));
    public static void WriteIntegerExact(string path, QuantizedGraph graph, IReadOnlyList<string> labels) => WriteAtomically(path, IntegerExact(graph, labels));

    private static void Check<T>(ModelGraph<T> graph, IReadOnlyList<string> labels) where T : class
    {
        var problems = GraphValidation.Problems(graph);
        if (problems.Count > 0) throw new ArgumentException($"invalid graph: {string.Join("; ", problems)}", nameof(graph));
        if (graph.OutputShape.FlatSize != labels.Count)
            throw new ArgumentException($"the graph has {graph.OutputShape.FlatSize} outputs but there are {labels.Count} labels", nameof(labels));
        if (labels.Any(l => l.Contains('\n'))) throw new ArgumentException("labels must not contain line breaks", nameof(labels));
    }

    private static Dictionary<string, string> Metadata(IReadOnlyList<string> labels, TensorQuantization? input)
    {
        var metadata = new Dictionary<string, string> { [LabelsKey] = string.Join('\n', labels) };
        if (input is { } q)
        {
            metadata["input_scale"] = q.Scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            metadata["input_zero_point"] = q.ZeroPoint.ToString(System.Globalization.CultureInfo.InvariantCulture);
            metadata["output_scale"] = "0.00390625";
            metadata["output_zero_point"] = "-128";
        }
        return metadata;
    }

    // Written next to the target and moved over it, so a failed write never leaves a truncated model behind.
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp";
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(temp)) File.Delete(temp);
            throw new HarkException($"{path}: cannot write the ONNX model: {e.Message}");
        }
    }
}
