using Hark.Engine.Kernels;

namespace Hark.Engine;

/// <summary>
/// Runs a <see cref="FloatGraph"/> with plain loops and double accumulation: the reference the trained model is
/// checked against after extraction, and what calibration observes. Keeps every tensor of the last run in
/// <see cref="Tensors"/> (so calibration can read intermediate ranges). Not thread-safe.
/// </summary>
public sealed class FloatExecutor
{
    private readonly FloatGraph _graph;
    private readonly float[][] _tensors;

    public FloatExecutor(FloatGraph graph)
    {
        var problems = GraphValidation.Problems(graph);
        if (problems.Count > 0) throw new ArgumentException($"invalid graph: {string.Join("; ", problems)}", nameof(graph));
        _graph = graph;
        _tensors = graph.Tensors.Select(t => new float[t.Shape.FlatSize]).ToArray();
    }

    public FloatGraph Graph => _graph;

    /// <summary>Values of every tensor after the last <see cref="Run"/>, indexed like <see cref="ModelGraph{T}.Tensors"/>.</summary>
    public IReadOnlyList<float[]> Tensors => _tensors;

    /// <summary>Runs one input (<c>H*W*C</c> of the input tensor, NHWC) and returns the output tensor (softmax probabilities).</summary>
    public ReadOnlySpan<float> Run(ReadOnlySpan<float> input)
    {
        if (input.Length != _tensors[_graph.Input].Length)
            throw new ArgumentException($"expected {_tensors[_graph.Input].Length} input values, got {input.Length}", nameof(input));
        input.CopyTo(_tensors[_graph.Input]);
        foreach (var op in _graph.Ops) Execute(op);
        return _tensors[_graph.Output];
    }

    private void Execute(GraphOp<FloatParams> op)
    {
        OpSpec s = op.Spec;
        float[] x = _tensors[s.Inputs[0]], y = _tensors[s.Output];
        Dims inDims = _graph.Tensors[s.Inputs[0]].Shape, outDims = _graph.Tensors[s.Output].Shape;
        switch (s.Kind)
        {
            case OpKind.Conv2D:
            case OpKind.DepthwiseConv2D:
                Convolve(s, op.Params!, inDims, x, outDims, y);
                break;
            case OpKind.FullyConnected:
                int depth = s.Kernel.C;
                for (int o = 0; o < s.Kernel.N; o++)
                {
                    double acc = op.Params!.Bias[o];
                    for (int d = 0; d < depth; d++) acc += (double)op.Params.Weights[o * depth + d] * x[d];
                    y[o] = Activate((float)acc, s.Activation);
                }
                break;
            case OpKind.AveragePool2D:
            case OpKind.MaxPool2D:
                Pool(s, inDims, x, outDims, y);
                break;
            case OpKind.Add:
                float[] x2 = _tensors[s.Inputs[1]];
                for (int i = 0; i < y.Length; i++) y[i] = Activate(x[i] + x2[i], s.Activation);
                break;
            case OpKind.Reshape:
                x.CopyTo(y, 0);
                break;
            case OpKind.Softmax:
                for (int r = 0; r < y.Length; r += outDims.C)
                {
                    float max = float.NegativeInfinity;
                    for (int c = 0; c < outDims.C; c++) max = Math.Max(max, x[r + c]);
                    double sum = 0;
                    for (int c = 0; c < outDims.C; c++) sum += Math.Exp(x[r + c] - max);
                    for (int c = 0; c < outDims.C; c++) y[r + c] = (float)(Math.Exp(x[r + c] - max) / sum);
                }
                break;
            default:
                throw new NotSupportedException($"op {s.Kind}");
        }
    }

    private static void Convolve(OpSpec s, FloatParams p, Dims input, float[] x, Dims output, float[] y)
    {
        bool depthwise = s.Kind == OpKind.DepthwiseConv2D;
        Dims k = s.Kernel;
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        for (int oc = 0; oc < output.C; oc++)
        {
            double acc = p.Bias[oc];
            for (int fy = 0; fy < k.H; fy++)
            {
                int iy = oy * s.StrideH - s.Padding.Top + fy;
                if ((uint)iy >= (uint)input.H) continue;
                for (int fx = 0; fx < k.W; fx++)
                {
                    int ix = ox * s.StrideW - s.Padding.Left + fx;
                    if ((uint)ix >= (uint)input.W) continue;
                    int inBase = (iy * input.W + ix) * input.C;
                    if (depthwise)
                    {
                        acc += (double)p.Weights[(fy * k.W + fx) * k.C + oc] * x[inBase + oc];
                    }
                    else
                    {
                        int wBase = ((oc * k.H + fy) * k.W + fx) * k.C;
                        for (int ic = 0; ic < input.C; ic++) acc += (double)p.Weights[wBase + ic] * x[inBase + ic];
                    }
                }
            }
            y[(oy * output.W + ox) * output.C + oc] = Activate((float)acc, s.Activation);
        }
    }

    // Padding positions are skipped, as TFLite's pooling does (average over the valid positions only).
    private static void Pool(OpSpec s, Dims input, float[] x, Dims output, float[] y)
    {
        bool max = s.Kind == OpKind.MaxPool2D;
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        for (int c = 0; c < output.C; c++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            int count = 0;
            for (int fy = 0; fy < s.Kernel.H; fy++)
            {
                int iy = oy * s.StrideH - s.Padding.Top + fy;
                if ((uint)iy >= (uint)input.H) continue;
                for (int fx = 0; fx < s.Kernel.W; fx++)
                {
                    int ix = ox * s.StrideW - s.Padding.Left + fx;
                    if ((uint)ix >= (uint)input.W) continue;
                    float v = x[(iy * input.W + ix) * input.C + c];
                    acc = max ? Math.Max(acc, v) : acc + v;
                    count++;
                }
            }
            y[(oy * output.W + ox) * output.C + c] = (float)(max ? acc : acc / count);
        }
    }

    private static float Activate(float v, FusedActivation activation) => activation switch
    {
        FusedActivation.Relu => Math.Max(v, 0),
        FusedActivation.Relu6 => Math.Clamp(v, 0, 6),
        _ => v,
    };
}
