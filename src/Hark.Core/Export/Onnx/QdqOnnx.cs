using Hark.Engine;

namespace Hark.Export.Onnx;

/// <summary>
/// The int8 graph in QDQ form (see <see cref="OnnxExporter.Qdq"/>): every activation is an int8 value; each op
/// dequantizes its inputs, runs the float op and quantizes its output with the graph's scale and zero point. Weights
/// are int8 initializers dequantized per output channel (axis 0 of OIHW), biases int32 with scale
/// <c>input_scale * weight_scale[c]</c>. Reshapes and flattens move the int8 values directly.
/// </summary>
internal sealed class QdqOnnx(QuantizedGraph graph)
{
    private readonly OnnxGraphBuilder _b = new(OnnxExporter.InputName, OnnxExporter.OutputName);
    private readonly string[] _values = new string[graph.Tensors.Count];
    private readonly (string Scale, string ZeroPoint)?[] _quantization = new (string, string)?[graph.Tensors.Count];

    public byte[] Build(IReadOnlyDictionary<string, string> metadata) =>
        NchwLayout.Int8Model(_b, graph, _values, Emit, "hark_int8_qdq",
            "Hark int8 model (QDQ): int8 features [1, frames, features] -> int8 probabilities [1, classes], scale 1/256, zero point -128", metadata);

    private (string Scale, string ZeroPoint) Quantization(int tensor)
    {
        if (_quantization[tensor] is { } known) return known;
        var q = graph.Tensors[tensor].Quantization!.Value;
        string name = graph.Tensors[tensor].Name;
        var created = (_b.Scalar(name + "/scale", q.Scale), _b.Scalar(name + "/zero_point", (sbyte)q.ZeroPoint));
        _quantization[tensor] = created;
        return created;
    }

    private string Dequantize(int tensor)
    {
        var (scale, zeroPoint) = Quantization(tensor);
        return _b.Node("DequantizeLinear", [_values[tensor], scale, zeroPoint], graph.Tensors[tensor].Name + "/dequantized");
    }

    private string Quantize(string value, int tensor)
    {
        var (scale, zeroPoint) = Quantization(tensor);
        return _b.Node("QuantizeLinear", [value, scale, zeroPoint], graph.Tensors[tensor].Name);
    }

    private string Emit(GraphOp<Int8Params> op)
    {
        OpSpec s = op.Spec;
        int input = s.Inputs[0];
        string name = graph.Tensors[s.Output].Name;
        var inShape = graph.Tensors[input].Shape;
        var outShape = graph.Tensors[s.Output].Shape;
        switch (s.Kind)
        {
            case OpKind.Conv2D or OpKind.DepthwiseConv2D:
            {
                var p = op.Params!;
                var (w, dims) = NchwLayout.ConvWeights(s, p.Weights);
                var (weights, bias) = Parameters(name, w, dims, p, graph.Tensors[input].Quantization!.Value.Scale);
                string conv = _b.Node("Conv", [Dequantize(input), weights, bias], name + "/conv", NchwLayout.ConvAttributes(s, NchwLayout.Group(s, inShape)));
                return Quantize(Activate(conv, s.Activation, name), s.Output);
            }
            case OpKind.FullyConnected:
            {
                var p = op.Params!;
                string flat = NchwLayout.Flatten(_b, _values[input], inShape, name + "/flatten");
                var (scale, zeroPoint) = Quantization(input);
                string dequantized = _b.Node("DequantizeLinear", [flat, scale, zeroPoint], name + "/flat_dequantized");
                var (weights, bias) = Parameters(name, p.Weights, [s.Kernel.N, s.Kernel.C], p, graph.Tensors[input].Quantization!.Value.Scale);
                string gemm = _b.Node("Gemm", [dequantized, weights, bias], name + "/gemm", ("transB", 1));
                string quantized = Quantize(Activate(gemm, s.Activation, name), s.Output);
                return NchwLayout.Unflatten(_b, quantized, outShape, name + "/nchw");
            }
            case OpKind.AveragePool2D:
                return Quantize(NchwLayout.IsGlobal(s, inShape)
                    ? _b.Node("GlobalAveragePool", [Dequantize(input)], name + "/pool")
                    : _b.Node("AveragePool", [Dequantize(input)], name + "/pool", NchwLayout.PoolAttributes(s, ("count_include_pad", 0))), s.Output);
            case OpKind.MaxPool2D:
                return Quantize(_b.Node("MaxPool", [Dequantize(input)], name + "/pool", NchwLayout.PoolAttributes(s)), s.Output);
            case OpKind.Add:
                return Quantize(Activate(_b.Node("Add", [Dequantize(input), Dequantize(s.Inputs[1])], name + "/add"), s.Activation, name), s.Output);
            case OpKind.Reshape:
                return NchwLayout.Reshape(_b, _values[input], outShape, name);
            case OpKind.Softmax:
                return Quantize(_b.Node("Softmax", [Dequantize(input)], name + "/softmax", ("axis", 1)), s.Output);
            default:
                throw new NotSupportedException($"op {s.Kind}");
        }
    }

    /// <summary>
    /// Int8 weights (already in ONNX layout) and int32 bias, each behind a DequantizeLinear: per axis 0 when there is
    /// one scale per output channel, per tensor otherwise (fully connected).
    /// </summary>
    private (string Weights, string Bias) Parameters(string name, sbyte[] weights, long[] dims, Int8Params p, float inputScale)
    {
        bool perChannel = p.WeightScales.Length > 1;
        long[] scaleDims = perChannel ? [p.WeightScales.Length] : [];
        float[] biasScales = p.WeightScales.Select(w => (float)((double)inputScale * w)).ToArray();
        OnnxAttribute[] axis = perChannel ? [("axis", 0)] : [];
        string w = _b.Node("DequantizeLinear",
            [_b.Constant(name + "/weights_q", dims, weights), _b.Constant(name + "/weights_scale", scaleDims, p.WeightScales),
             _b.Constant(name + "/weights_zero_point", scaleDims, new sbyte[p.WeightScales.Length])],
            name + "/weights", axis);
        string b = _b.Node("DequantizeLinear",
            [_b.Constant(name + "/bias_q", [p.Bias.Length], p.Bias), _b.Constant(name + "/bias_scale", scaleDims, biasScales),
             _b.Constant(name + "/bias_zero_point", scaleDims, new int[p.WeightScales.Length])],
            name + "/bias", axis);
        return (w, b);
    }

    private string Activate(string value, FusedActivation activation, string name) => activation switch
    {
        FusedActivation.Relu => _b.Node("Relu", [value], name + "/relu"),
        FusedActivation.Relu6 => _b.Node("Clip", [value, _b.Scalar(name + "/min", 0f), _b.Scalar(name + "/max", 6f)], name + "/relu6"),
        _ => value,
    };
}
