using Hark.Engine.Kernels;

namespace Hark.Engine;

/// <summary>
/// Structural checks of a graph: every shape, parameter length and quantization rule the executors and exporters
/// rely on. A graph that passes can be run without index errors; a loaded file that fails is rejected.
/// </summary>
public static class GraphValidation
{
    /// <summary>Every problem found, empty when the graph is consistent.</summary>
    public static IReadOnlyList<string> Problems<TParams>(ModelGraph<TParams> graph) where TParams : class
    {
        var problems = new List<string>();
        var tensors = graph.Tensors;
        if (tensors.Count == 0) return ["no tensors"];
        for (int t = 0; t < tensors.Count; t++)
        {
            Dims s = tensors[t].Shape;
            if (s.N != 1 || s.H < 1 || s.W < 1 || s.C < 1 || (long)s.H * s.W * s.C > 1 << 24)
                problems.Add($"tensor {t} ({tensors[t].Name}): shape {Format(s)} is not a batch-1 shape of sensible size");
        }
        if ((uint)graph.Input >= (uint)tensors.Count || (uint)graph.Output >= (uint)tensors.Count)
        {
            problems.Add("input or output tensor index out of range");
            return problems;
        }
        if (graph.Ops.Count == 0) problems.Add("no ops");
        if (problems.Count > 0) return problems;

        var written = new bool[tensors.Count];
        written[graph.Input] = true;
        for (int i = 0; i < graph.Ops.Count; i++)
        {
            var op = graph.Ops[i];
            string where = $"op {i} ({op.Spec.Kind})";
            int expectedInputs = op.Spec.Kind == OpKind.Add ? 2 : 1;
            if (op.Spec.Inputs.Count != expectedInputs || op.Spec.Inputs.Any(t => (uint)t >= (uint)tensors.Count)
                || (uint)op.Spec.Output >= (uint)tensors.Count)
            {
                problems.Add($"{where}: tensor indices out of range");
                continue;
            }
            if (op.Spec.Inputs.Any(t => !written[t])) problems.Add($"{where}: reads a tensor no earlier op wrote");
            if (written[op.Spec.Output]) problems.Add($"{where}: writes tensor {op.Spec.Output}, which is already written");
            written[op.Spec.Output] = true;
            CheckOp(op.Spec, tensors, op.Params, where, problems);
        }
        if (!written[graph.Output] || graph.Output == graph.Input) problems.Add("the output tensor is never written");
        return problems;
    }

    private static void CheckOp(OpSpec spec, IReadOnlyList<GraphTensor> tensors, object? parameters, string where, List<string> problems)
    {
        Dims input = tensors[spec.Inputs[0]].Shape, output = tensors[spec.Output].Shape, k = spec.Kernel;
        void Require(bool condition, string problem)
        {
            if (!condition) problems.Add($"{where}: {problem}");
        }

        bool weighted = spec.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected;
        Require(weighted == (parameters is not null), weighted ? "has no weights" : "has weights it cannot use");
        bool windowed = weighted || spec.Kind is OpKind.AveragePool2D or OpKind.MaxPool2D;
        if (windowed && (k.N < 1 || k.H < 1 || k.W < 1 || k.C < 1 || (long)k.N * k.H * k.W * k.C > 1 << 24))
        {
            Require(false, $"kernel {Format(k)} is not a sensible shape");
            return;
        }
        switch (spec.Kind)
        {
            case OpKind.Conv2D:
            case OpKind.DepthwiseConv2D:
                bool depthwise = spec.Kind == OpKind.DepthwiseConv2D;
                Require(k.H > 0 && k.W > 0 && (depthwise ? k.N == 1 && k.C == input.C && input.C == output.C : k.N == output.C && k.C == input.C),
                    $"kernel {Format(k)} does not connect {Format(input)} to {Format(output)}");
                CheckWindow(spec, input, output, Require);
                break;
            case OpKind.FullyConnected:
                Require(k.H == 1 && k.W == 1 && k.C == input.H * input.W * input.C && output.H * output.W == 1 && output.C == k.N,
                    $"kernel {Format(k)} does not connect {Format(input)} to {Format(output)}");
                break;
            case OpKind.AveragePool2D:
            case OpKind.MaxPool2D:
                Require(k.N == 1 && k.C == 1 && k.H > 0 && k.W > 0 && input.C == output.C, $"window {Format(k)} or channels invalid");
                CheckWindow(spec, input, output, Require);
                break;
            case OpKind.Add:
                Require(tensors[spec.Inputs[1]].Shape == input && output == input, "inputs and output must have one shape");
                break;
            case OpKind.Reshape:
                Require(input.FlatSize == output.FlatSize, $"cannot reshape {Format(input)} to {Format(output)}");
                break;
            case OpKind.Softmax:
                Require(input == output && output.C <= Int8Kernels.MaxSoftmaxRow, "softmax keeps the shape and has at most 256 classes");
                break;
            default:
                Require(false, "unknown op kind");
                break;
        }
        if (!weighted || parameters is null) return;

        int outChannels = output.C;
        if (parameters is FloatParams f)
        {
            Require(f.Weights.Length == k.FlatSize && f.Bias.Length == outChannels, "weight or bias length does not match the kernel");
            Require(f.Weights.All(float.IsFinite) && f.Bias.All(float.IsFinite), "weights are not finite");
        }
        else if (parameters is Int8Params q)
        {
            int scales = spec.Kind == OpKind.FullyConnected ? 1 : outChannels;
            Require(q.Weights.Length == k.FlatSize && q.Bias.Length == outChannels && q.WeightScales.Length == scales && q.Multipliers.Length == scales,
                "weight, bias, scale or multiplier count does not match the kernel");
            Require(q.WeightScales.All(s => float.IsFinite(s) && s > 0), "weight scales must be positive");
            Require(q.Multipliers.All(m => m.Multiplier >= 0 && m.Shift is >= -31 and <= 31), "multiplier out of range");
        }
    }

    private static void CheckWindow(OpSpec spec, Dims input, Dims output, Action<bool, string> require)
    {
        Padding p = spec.Padding;
        int paddedH = input.H + p.Top + p.Bottom, paddedW = input.W + p.Left + p.Right;
        bool valid = spec.StrideH > 0 && spec.StrideW > 0 && p.Top >= 0 && p.Bottom >= 0 && p.Left >= 0 && p.Right >= 0
                     && p.Top < spec.Kernel.H && p.Bottom < spec.Kernel.H && p.Left < spec.Kernel.W && p.Right < spec.Kernel.W
                     && paddedH >= spec.Kernel.H && paddedW >= spec.Kernel.W;
        require(valid, "stride, padding or window does not fit the input");
        if (!valid) return;
        int h = (paddedH - spec.Kernel.H) / spec.StrideH + 1;
        int w = (paddedW - spec.Kernel.W) / spec.StrideW + 1;
        require(output.H == h && output.W == w, $"output {Format(output)} does not match the window arithmetic ({h}x{w})");
    }

    /// <summary>Additional rules of a quantized graph (TFLite int8).</summary>
    public static IReadOnlyList<string> Problems(QuantizedGraph graph)
    {
        var problems = new List<string>(Problems<Int8Params>(graph));
        for (int t = 0; t < graph.Tensors.Count; t++)
        {
            if (graph.Tensors[t].Quantization is not { } q || !float.IsFinite(q.Scale) || q.Scale <= 0 || q.ZeroPoint is < -128 or > 127)
                problems.Add($"tensor {t} ({graph.Tensors[t].Name}): missing or invalid quantization");
        }
        if (problems.Count > 0) return problems;
        foreach (var op in graph.Ops)
        {
            var inQ = graph.Tensors[op.Spec.Inputs[0]].Quantization!.Value;
            var outQ = graph.Tensors[op.Spec.Output].Quantization!.Value;
            if (op.Spec.Kind is OpKind.AveragePool2D or OpKind.MaxPool2D or OpKind.Reshape && inQ != outQ)
                problems.Add($"{op.Spec.Kind} writing tensor {op.Spec.Output}: output quantization must equal the input's");
            if (op.Spec.Kind == OpKind.Softmax && outQ != SoftmaxOutput)
                problems.Add($"softmax writing tensor {op.Spec.Output}: output quantization must be scale 1/256, zero point -128");
        }
        return problems;
    }

    /// <summary>TFLite's fixed int8 softmax output quantization.</summary>
    public static TensorQuantization SoftmaxOutput => new(1f / 256, -128);

    private static string Format(Dims d) => $"{d.N}x{d.H}x{d.W}x{d.C}";
}
