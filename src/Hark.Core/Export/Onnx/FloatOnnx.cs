using Hark.Engine;

namespace Hark.Export.Onnx;

/// <summary>The float graph as plain ONNX float ops (see <see cref="OnnxExporter.Float"/>).</summary>
internal sealed class FloatOnnx(FloatGraph graph)
{
    private readonly OnnxGraphBuilder _b = new(OnnxExporter.InputName, OnnxExporter.OutputName);
    private readonly string[] _values = new string[graph.Tensors.Count];

    public byte[] Build(IReadOnlyDictionary<string, string> metadata)
    {
        var inputShape = graph.InputShape;
        string input = _b.Input(OnnxExporter.InputName, OnnxType.Float, NchwLayout.InputShape(inputShape));
        _values[graph.Input] = NchwLayout.Input(_b, input, inputShape, graph.Tensors[graph.Input].Name);
        foreach (var op in graph.Ops) _values[op.Spec.Output] = Emit(op);
        var output = graph.OutputShape;
        _b.Output(NchwLayout.Flatten(_b, _values[graph.Output], output, "flatten_output"), OnnxExporter.OutputName, OnnxType.Float, [1, output.FlatSize]);
        return _b.ToModel("hark_float", "Hark float model: features [1, frames, features] -> probabilities [1, classes]", metadata);
    }

    private string Emit(GraphOp<FloatParams> op)
    {
        OpSpec s = op.Spec;
        string x = _values[s.Inputs[0]], name = graph.Tensors[s.Output].Name;
        var inShape = graph.Tensors[s.Inputs[0]].Shape;
        var outShape = graph.Tensors[s.Output].Shape;
        switch (s.Kind)
        {
            case OpKind.Conv2D or OpKind.DepthwiseConv2D:
            {
                var (w, dims) = NchwLayout.ConvWeights(s, op.Params!.Weights);
                string conv = _b.Node("Conv", [x, _b.Constant(name + "/weights", dims, w), _b.Constant(name + "/bias", [op.Params.Bias.Length], op.Params.Bias)],
                    name + "/conv", NchwLayout.ConvAttributes(s, NchwLayout.Group(s, inShape)));
                return Activate(conv, s.Activation, name);
            }
            case OpKind.FullyConnected:
            {
                string flat = NchwLayout.Flatten(_b, x, inShape, name + "/flatten");
                string gemm = _b.Node("Gemm", [flat, _b.Constant(name + "/weights", [s.Kernel.N, s.Kernel.C], op.Params!.Weights), _b.Constant(name + "/bias", [s.Kernel.N], op.Params.Bias)],
                    name + "/gemm", ("transB", 1));
                return Activate(NchwLayout.Unflatten(_b, gemm, outShape, name + "/fc"), s.Activation, name);
            }
            case OpKind.AveragePool2D:
                return NchwLayout.IsGlobal(s, inShape)
                    ? _b.Node("GlobalAveragePool", [x], name)
                    : _b.Node("AveragePool", [x], name, NchwLayout.PoolAttributes(s, ("count_include_pad", 0)));
            case OpKind.MaxPool2D:
                return _b.Node("MaxPool", [x], name, NchwLayout.PoolAttributes(s));
            case OpKind.Add:
                return Activate(_b.Node("Add", [x, _values[s.Inputs[1]]], name + "/add"), s.Activation, name);
            case OpKind.Reshape:
                return NchwLayout.Reshape(_b, x, outShape, name);
            case OpKind.Softmax:
                return _b.Node("Softmax", [x], name, ("axis", 1));
            default:
                throw new NotSupportedException($"op {s.Kind}");
        }
    }

    private string Activate(string value, FusedActivation activation, string name) => activation switch
    {
        FusedActivation.Relu => _b.Node("Relu", [value], name),
        FusedActivation.Relu6 => _b.Node("Clip", [value, _b.Scalar(name + "/min", 0f), _b.Scalar(name + "/max", 6f)], name),
        _ => value,
    };
}
