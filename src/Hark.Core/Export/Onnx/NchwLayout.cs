using Hark.Engine;
using Hark.Engine.Kernels;

namespace Hark.Export.Onnx;

/// <summary>
/// The mapping from the graph's NHWC conventions to ONNX's NCHW: shapes, weight layouts, conv/pool attributes,
/// and the element-order-preserving reshapes (the graph reshapes and flattens in NHWC order, so ONNX has to
/// transpose around them). Shared by every ONNX variant so they cannot disagree on layout.
/// </summary>
internal static class NchwLayout
{
    /// <summary>
    /// The frame every int8 variant shares: int8 NHWC features in, <paramref name="emit"/> per op, the int8 output
    /// flattened to [1, classes]. Only how each op is written differs between the variants.
    /// </summary>
    public static byte[] Int8Model(OnnxGraphBuilder b, QuantizedGraph graph, string[] values,
        Func<GraphOp<Int8Params>, string> emit, string name, string description, IReadOnlyDictionary<string, string> metadata)
    {
        var inputShape = graph.InputShape;
        string input = b.Input(OnnxExporter.InputName, OnnxType.Int8, InputShape(inputShape));
        values[graph.Input] = Input(b, input, inputShape, graph.Tensors[graph.Input].Name);
        foreach (var op in graph.Ops) values[op.Spec.Output] = emit(op);
        var output = graph.OutputShape;
        b.Output(Flatten(b, values[graph.Output], output, "flatten_output"), OnnxExporter.OutputName, OnnxType.Int8, [1, output.FlatSize]);
        return b.ToModel(name, description, metadata);
    }

    public static long[] Shape(Dims d) => [d.N, d.C, d.H, d.W];

    /// <summary>Conv weights OHWI to OIHW; depthwise 1HWC to (C, 1, kh, kw). Returns the ONNX dims.</summary>
    public static (T[] Weights, long[] Dims) ConvWeights<T>(OpSpec spec, T[] weights)
    {
        Dims k = spec.Kernel;
        var result = new T[weights.Length];
        if (spec.Kind == OpKind.DepthwiseConv2D)
        {
            for (int c = 0; c < k.C; c++)
            for (int y = 0; y < k.H; y++)
            for (int x = 0; x < k.W; x++)
                result[(c * k.H + y) * k.W + x] = weights[(y * k.W + x) * k.C + c];
            return (result, [k.C, 1, k.H, k.W]);
        }
        for (int o = 0; o < k.N; o++)
        for (int i = 0; i < k.C; i++)
        for (int y = 0; y < k.H; y++)
        for (int x = 0; x < k.W; x++)
            result[((o * k.C + i) * k.H + y) * k.W + x] = weights[((o * k.H + y) * k.W + x) * k.C + i];
        return (result, [k.N, k.C, k.H, k.W]);
    }

    public static OnnxAttribute[] ConvAttributes(OpSpec spec, int group) =>
    [
        ("kernel_shape", new long[] { spec.Kernel.H, spec.Kernel.W }),
        ("strides", new long[] { spec.StrideH, spec.StrideW }),
        ("pads", Pads(spec.Padding)),
        ("group", group),
    ];

    public static int Group(OpSpec spec, Dims input) => spec.Kind == OpKind.DepthwiseConv2D ? input.C : 1;

    public static OnnxAttribute[] PoolAttributes(OpSpec spec, params OnnxAttribute[] extra) =>
    [
        ("kernel_shape", new long[] { spec.Kernel.H, spec.Kernel.W }),
        ("strides", new long[] { spec.StrideH, spec.StrideW }),
        ("pads", Pads(spec.Padding)),
        .. extra,
    ];

    /// <summary>ONNX pads are [top, left, bottom, right] for 2-D.</summary>
    private static long[] Pads(Padding p) => [p.Top, p.Left, p.Bottom, p.Right];

    /// <summary>A pooling window covering the whole input without padding: expressible as GlobalAveragePool.</summary>
    public static bool IsGlobal(OpSpec spec, Dims input) =>
        spec.Kernel.H == input.H && spec.Kernel.W == input.W && spec.Padding == Padding.None;

    /// <summary>The graph's Reshape (same bytes in NHWC order, new shape) on an NCHW value of any element type.</summary>
    public static string Reshape(OnnxGraphBuilder b, string value, Dims to, string name)
    {
        string nhwc = b.Node("Transpose", [value], name + "/nhwc", ("perm", new long[] { 0, 2, 3, 1 }));
        string reshaped = b.Node("Reshape", [nhwc, b.Constant(name + "/shape", [4], [(long)to.N, to.H, to.W, to.C])], name + "/reshape");
        return b.Node("Transpose", [reshaped], name, ("perm", new long[] { 0, 3, 1, 2 }));
    }

    /// <summary>NCHW value to [N, H*W*C] in the graph's NHWC element order (what fully connected layers read).</summary>
    public static string Flatten(OnnxGraphBuilder b, string value, Dims shape, string name)
    {
        // With a 1x1 plane (or one channel) NCHW and NHWC orders coincide: skip the transpose tools would show.
        if (shape.H * shape.W > 1 && shape.C > 1)
            value = b.Node("Transpose", [value], name + "/nhwc", ("perm", new long[] { 0, 2, 3, 1 }));
        return b.Node("Flatten", [value], name, ("axis", 1));
    }

    /// <summary>[N, C] back to the NCHW [N, C, 1, 1] a fully connected output is in the graph.</summary>
    public static string Unflatten(OnnxGraphBuilder b, string value, Dims shape, string name) =>
        b.Node("Reshape", [value, b.Constant(name + "/shape", [4], Shape(shape))], name);

    /// <summary>The graph input [1, frames, features] to NCHW [1, 1, frames, features] (or the graph input's C).</summary>
    public static string Input(OnnxGraphBuilder b, string input, Dims shape, string name) =>
        shape.C == 1
            ? b.Node("Reshape", [input, b.Constant(name + "/shape", [4], Shape(shape))], name)
            : b.Node("Transpose", [b.Node("Reshape", [input, b.Constant(name + "/shape", [4], [(long)shape.N, shape.H, shape.W, shape.C])], name + "/nhwc")],
                name, ("perm", new long[] { 0, 3, 1, 2 }));

    public static long[] InputShape(Dims shape) => shape.C == 1 ? [1, shape.H, shape.W] : [1, shape.H, shape.W, shape.C];
}
