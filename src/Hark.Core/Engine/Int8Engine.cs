using Hark.Engine.Kernels;
using Hark.Evaluation;
using Hark.Features;
using Hark.Quantization;

namespace Hark.Engine;

/// <summary>
/// The reference int8 engine: runs a <see cref="QuantizedGraph"/> with <see cref="Int8Kernels"/> in one preallocated
/// arena (<see cref="ArenaPlan"/>), exactly as the generated C library and TFLite Micro do. Every deployment is
/// checked against it. No allocation per inference (except the result arrays of <see cref="PredictBatch"/>).
/// Not thread-safe: one instance per thread.
/// </summary>
/// <example>
/// <code>
/// using var engine = Int8Engine.Load("runs/yes-no");          // RUN/model.hark, no TorchSharp needed
/// var features = new FrontEnd(engine.FrontEnd).ComputeClip(audio);
/// float[] p = engine.PredictBatch(features, 1)[0];           // p[i] is the probability of engine.Labels[i]
/// </code>
/// </example>
public sealed class Int8Engine : IKeywordClassifier
{
    private readonly sbyte[] _arena;
    private readonly PreparedOp[] _ops;
    private readonly int _inputOffset, _outputOffset;

    /// <exception cref="ArgumentException">The graph is inconsistent or does not fit the labels or front end.</exception>
    public Int8Engine(QuantizedGraph graph, FrontEndConfig frontEnd, IReadOnlyList<string> labels)
    {
        var problems = CompatibilityProblems(graph, frontEnd, labels);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(graph));
        Graph = graph;
        FrontEnd = frontEnd;
        Labels = labels;
        Plan = ArenaPlan.For(graph);
        _arena = new sbyte[Plan.Size];
        _ops = graph.Ops.Select(op => new PreparedOp(graph, Plan, op)).ToArray();
        _inputOffset = Plan.Offsets[graph.Input];
        _outputOffset = Plan.Offsets[graph.Output];
    }

    /// <summary>Loads <c>model.hark</c> from a run folder, or the package file given directly. Needs no TorchSharp.</summary>
    /// <exception cref="InputFileException">Missing, truncated, corrupt or incompatible package; the message names it.</exception>
    public static Int8Engine Load(string runDirOrPackagePath) => ModelPackage.Load(runDirOrPackagePath).CreateEngine();

    /// <summary>Everything that makes <paramref name="graph"/> unusable with this front end and these labels.</summary>
    public static IReadOnlyList<string> CompatibilityProblems(QuantizedGraph graph, FrontEndConfig frontEnd, IReadOnlyList<string> labels)
    {
        var problems = new List<string>(GraphValidation.Problems(graph));
        if (problems.Count > 0) return problems;
        var front = new FrontEnd(frontEnd);
        var expected = new Dims(1, front.FramesPerClip, front.FeaturesPerFrame, 1);
        if (graph.InputShape != expected)
            problems.Add($"the graph takes {graph.InputShape.H}x{graph.InputShape.W} features but the front end gives {expected.H}x{expected.W}");
        if (graph.OutputShape.FlatSize != labels.Count)
            problems.Add($"the graph has {graph.OutputShape.FlatSize} outputs but there are {labels.Count} labels");
        if (graph.Ops[^1].Spec.Kind != OpKind.Softmax || graph.Ops[^1].Spec.Output != graph.Output)
            problems.Add("the graph does not end in a softmax");
        return problems;
    }

    public QuantizedGraph Graph { get; }
    public IReadOnlyList<string> Labels { get; }
    public FrontEndConfig FrontEnd { get; }
    public ArenaPlan Plan { get; }

    /// <summary>Features per clip (frames x features per frame).</summary>
    public int InputLength => Graph.InputShape.FlatSize;

    public int OutputLength => Graph.OutputShape.FlatSize;

    /// <summary>
    /// The input quantization every runtime must apply: <c>clamp(roundf(x / scale) + zero_point, -128, 127)</c>,
    /// float32 division, ties away from zero (see <see cref="Quantizer.QuantizeValues"/>).
    /// </summary>
    public void QuantizeInput(ReadOnlySpan<float> features, Span<sbyte> destination)
    {
        CheckLength(features.Length, InputLength, nameof(features));
        Quantizer.QuantizeValues(features, Graph.InputQuantization, destination);
    }

    /// <summary>Runs quantized features; writes the raw int8 softmax output (scale 1/256, zero point -128).</summary>
    public void RunInt8(ReadOnlySpan<sbyte> input, Span<sbyte> output)
    {
        CheckLength(input.Length, InputLength, nameof(input));
        if (output.Length < OutputLength) throw new ArgumentException($"output needs {OutputLength} values", nameof(output));
        input.CopyTo(_arena.AsSpan(_inputOffset, InputLength));
        Execute();
        _arena.AsSpan(_outputOffset, OutputLength).CopyTo(output);
    }

    /// <summary>Convenience form of <see cref="RunInt8(ReadOnlySpan{sbyte}, Span{sbyte})"/> that allocates the result.</summary>
    public sbyte[] RunInt8(ReadOnlySpan<sbyte> input)
    {
        var output = new sbyte[OutputLength];
        RunInt8(input, output);
        return output;
    }

    /// <summary>Dequantized probabilities for one clip's float features, without allocating.</summary>
    public void Predict(ReadOnlySpan<float> features, Span<float> probabilities)
    {
        CheckLength(features.Length, InputLength, nameof(features));
        if (probabilities.Length < OutputLength) throw new ArgumentException($"probabilities needs {OutputLength} values", nameof(probabilities));
        Quantizer.QuantizeValues(features, Graph.InputQuantization, _arena.AsSpan(_inputOffset, InputLength));
        Execute();
        var q = Graph.OutputQuantization;
        ReadOnlySpan<sbyte> output = _arena.AsSpan(_outputOffset, OutputLength);
        for (int i = 0; i < output.Length; i++) probabilities[i] = q.Scale * (output[i] - q.ZeroPoint);
    }

    public float[][] PredictBatch(ReadOnlySpan<float> features, int count)
    {
        if (count < 1 || features.Length != count * InputLength)
            throw new ArgumentException($"expected {count} x {InputLength} features, got {features.Length}", nameof(features));
        var result = new float[count][];
        for (int i = 0; i < count; i++)
        {
            result[i] = new float[OutputLength];
            Predict(features.Slice(i * InputLength, InputLength), result[i]);
        }
        return result;
    }

    private void Execute()
    {
        foreach (var op in _ops) op.Run(_arena);
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"expected {expected} values, got {actual}", name);
    }

    public void Dispose() { }

    /// <summary>One op with everything the kernel needs computed once: offsets, dims, multipliers, clamps.</summary>
    private sealed class PreparedOp
    {
        private readonly OpKind _kind;
        private readonly int _in, _in2, _out, _inLength, _outLength;
        private readonly Dims _inDims, _outDims, _kernel;
        private readonly ConvParams _conv;
        private readonly FullyConnectedParams _fc;
        private readonly PoolParams _pool;
        private readonly AddParams _add;
        private readonly SoftmaxParams _softmax;
        private readonly sbyte[] _weights = [];
        private readonly int[] _bias = [], _multipliers = [], _shifts = [];

        public PreparedOp(QuantizedGraph graph, ArenaPlan plan, GraphOp<Int8Params> op)
        {
            OpSpec s = op.Spec;
            _kind = s.Kind;
            _in = plan.Offsets[s.Inputs[0]];
            _in2 = s.Inputs.Count > 1 ? plan.Offsets[s.Inputs[1]] : 0;
            _out = plan.Offsets[s.Output];
            _inDims = graph.Tensors[s.Inputs[0]].Shape;
            _outDims = graph.Tensors[s.Output].Shape;
            _inLength = _inDims.FlatSize;
            _outLength = _outDims.FlatSize;
            _kernel = s.Kernel;
            var inQ = graph.Tensors[s.Inputs[0]].Quantization!.Value;
            var outQ = graph.Tensors[s.Output].Quantization!.Value;
            var (min, max) = Quantizer.ActivationRange(s.Activation, outQ);
            if (op.Params is { } p)
            {
                _weights = p.Weights;
                _bias = p.Bias;
                _multipliers = p.Multipliers.Select(m => m.Multiplier).ToArray();
                _shifts = p.Multipliers.Select(m => m.Shift).ToArray();
            }
            switch (s.Kind)
            {
                case OpKind.Conv2D or OpKind.DepthwiseConv2D:
                    _conv = new ConvParams(-inQ.ZeroPoint, outQ.ZeroPoint, s.StrideH, s.StrideW, s.Padding.Top, s.Padding.Left, min, max);
                    break;
                case OpKind.FullyConnected:
                    _fc = new FullyConnectedParams(-inQ.ZeroPoint, 0, outQ.ZeroPoint, min, max);
                    break;
                case OpKind.AveragePool2D or OpKind.MaxPool2D:
                    _pool = new PoolParams(s.Kernel.H, s.Kernel.W, s.StrideH, s.StrideW, s.Padding.Top, s.Padding.Left, min, max);
                    break;
                case OpKind.Add:
                    var in2Q = graph.Tensors[s.Inputs[1]].Quantization!.Value;
                    _add = AddParams.FromScales(inQ.Scale, inQ.ZeroPoint, in2Q.Scale, in2Q.ZeroPoint, outQ.Scale, outQ.ZeroPoint, min, max);
                    // The int8 ADD kernel only scales down; an output scale far below the inputs' cannot be run.
                    if (_add.Input1Shift is > 0 or < -31 || _add.Input2Shift is > 0 or < -31 || _add.OutputShift is > 0 or < -31)
                        throw new ArgumentException($"ADD writing tensor {s.Output}: scales need shifts outside [-31, 0]");
                    break;
                case OpKind.Softmax:
                    _softmax = SoftmaxParams.FromBeta(1f, inQ.Scale);
                    break;
            }
        }

        public void Run(sbyte[] arena)
        {
            ReadOnlySpan<sbyte> x = arena.AsSpan(_in, _inLength);
            Span<sbyte> y = arena.AsSpan(_out, _outLength);
            switch (_kind)
            {
                case OpKind.Conv2D:
                    Int8Kernels.ConvS8(_conv, new PerChannelQuant(_multipliers, _shifts), _inDims, x, _kernel, _weights, _bias, _outDims, y);
                    break;
                case OpKind.DepthwiseConv2D:
                    Int8Kernels.DepthwiseConvS8(_conv, new PerChannelQuant(_multipliers, _shifts), _inDims, x, _kernel, _weights, _bias, _outDims, y);
                    break;
                case OpKind.FullyConnected:
                    Int8Kernels.FullyConnectedS8(_fc, new QuantizedMultiplier(_multipliers[0], _shifts[0]), _inDims, x, _kernel, _weights, _bias, _outDims, y);
                    break;
                case OpKind.AveragePool2D:
                    Int8Kernels.AvgPoolS8(_pool, _inDims, x, _outDims, y);
                    break;
                case OpKind.MaxPool2D:
                    Int8Kernels.MaxPoolS8(_pool, _inDims, x, _outDims, y);
                    break;
                case OpKind.Add:
                    Int8Kernels.AddS8(_add, x, arena.AsSpan(_in2, _inLength), y);
                    break;
                case OpKind.Reshape:
                    x.CopyTo(y);
                    break;
                case OpKind.Softmax:
                    Int8Kernels.SoftmaxS8(_softmax, _outDims, x, y);
                    break;
            }
        }
    }
}
