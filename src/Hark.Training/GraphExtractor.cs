using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Training.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training;

/// <summary>
/// Turns a trained <see cref="KwsModel"/> (eval mode semantics) into the deployable <see cref="FloatGraph"/>:
/// batch norm folded into the preceding convolution, ReLU fused, dropout dropped, ZeroPad2d merged into the
/// convolution's explicit padding, AdaptiveAvgPool2d(1) as a global average pool, Linear as fully connected, and a
/// final softmax. Torch's NCHW becomes NHWC: the features <c>[frames, featuresPerFrame]</c> are H x W with C = 1.
/// </summary>
/// <remarks>
/// Supported: <c>dscnn-s</c> and <c>cnn1d</c> (whose 1-D convolutions read the features as channels over time, so
/// its graph starts with a reshape to <c>[frames, 1, featuresPerFrame]</c>). <c>bcresnet1</c> needs a frequency
/// mean and broadcast add, which the graph does not have: it is refused with a clear error.
/// </remarks>
public static class GraphExtractor
{
    /// <summary>Whether models built by this name (see <see cref="ModelZoo"/>) can be converted.</summary>
    public static bool Supports(string modelName) => modelName is DsCnn.Name or Cnn1d.Name;

    /// <exception cref="HarkException">The model contains a layer the graph cannot express.</exception>
    public static FloatGraph Extract(KwsModel model)
    {
        if (!Supports(model.ModelName))
            throw new HarkException($"model {model.ModelName}: int8 conversion is not supported yet (frequency mean and broadcast add have no graph op)");
        using var noGrad = no_grad();
        var builder = new Builder(model);
        foreach (var (name, module) in model.named_modules())
        {
            if (module.children().Any()) continue;
            builder.Add(name, module);
        }
        return builder.Finish();
    }

    private sealed class Builder
    {
        private readonly KwsModel _model;
        private readonly List<GraphTensor> _tensors = [];
        private readonly List<GraphOp<FloatParams>> _ops = [];
        private readonly bool _oneDimensional;
        private Padding _pendingPad;
        private bool _foldable;

        public Builder(KwsModel model)
        {
            _model = model;
            _tensors.Add(new GraphTensor("features", new Dims(1, model.Frames, model.FeaturesPerFrame, 1)));
            // Cnn1d transposes to [batch, features, frames]: channels = features, time = frames, i.e. NHWC [frames, 1, features].
            _oneDimensional = model is Cnn1d;
            if (_oneDimensional)
                Append("reshape", new OpSpec(OpKind.Reshape, [0], 1), null, new Dims(1, model.Frames, 1, model.FeaturesPerFrame));
        }

        private int Current => _tensors.Count - 1;
        private Dims Shape => _tensors[Current].Shape;

        public void Add(string name, nn.Module module)
        {
            switch (module)
            {
                case ZeroPad2d pad:
                    // torch order: (left, right, top, bottom); left/right pad W (features), top/bottom pad H (frames).
                    long[] p = pad.padding;
                    _pendingPad = new Padding((int)p[2], (int)p[3], (int)p[0], (int)p[1]);
                    break;
                case Convolution conv:
                    AddConvolution(name, conv);
                    break;
                case BatchNorm bn:
                    FoldBatchNorm(name, bn);
                    break;
                case ReLU:
                    FuseRelu(name);
                    break;
                case Dropout or Dropout2d or Flatten:
                    // Dropout is the identity in eval mode; flattening is implicit in the FC layer's NHWC depth order.
                    break;
                case AdaptiveAvgPool2d pool:
                    if (pool.output_size.Any(s => s != 1)) throw Unsupported(name, "adaptive pooling to more than 1x1");
                    Append(name, new OpSpec(OpKind.AveragePool2D, [Current], Current + 1, new Dims(1, Shape.H, Shape.W, 1)),
                        null, new Dims(1, 1, 1, Shape.C));
                    break;
                case MaxPool1d pool:
                    AddMaxPool1d(name, pool);
                    break;
                case Linear linear:
                    AddLinear(name, linear);
                    break;
                default:
                    throw Unsupported(name, module.GetType().Name);
            }
        }

        private void AddConvolution(string name, Convolution conv)
        {
            if (conv.transposed || conv.dilation.Any(d => d != 1) || conv.padding is not { } torchPadding)
                throw Unsupported(name, "transposed, dilated or string-padded convolution");
            bool oneD = conv.kernel_size.Length == 1;
            if (oneD != _oneDimensional) throw Unsupported(name, "convolution of the wrong dimensionality");
            int kh = (int)conv.kernel_size[0], kw = oneD ? 1 : (int)conv.kernel_size[1];
            int sh = (int)conv.stride[0], sw = oneD ? 1 : (int)conv.stride[1];
            int ph = (int)torchPadding[0], pw = oneD ? 0 : (int)torchPadding[1];
            var padding = new Padding(_pendingPad.Top + ph, _pendingPad.Bottom + ph, _pendingPad.Left + pw, _pendingPad.Right + pw);
            _pendingPad = default;

            int inC = (int)conv.in_channels, outC = (int)conv.out_channels;
            bool depthwise = conv.groups == inC && inC == outC && inC > 1;
            if (conv.groups != 1 && !depthwise) throw Unsupported(name, "grouped convolution other than depthwise");
            if (inC != Shape.C) throw Unsupported(name, $"expects {inC} input channels, the graph has {Shape.C}");

            // torch weight [outC, inC/groups, kh, kw] -> OHWI, or 1HWC for depthwise.
            float[] w = conv.weight!.cpu().data<float>().ToArray();
            var kernel = depthwise ? new Dims(1, kh, kw, outC) : new Dims(outC, kh, kw, inC);
            var weights = new float[kernel.FlatSize];
            int perOut = w.Length / outC;
            for (int o = 0; o < outC; o++)
            for (int i = 0; i < perOut / (kh * kw); i++)
            for (int y = 0; y < kh; y++)
            for (int x = 0; x < kw; x++)
            {
                float v = w[o * perOut + (i * kh + y) * kw + x];
                if (depthwise) weights[(y * kw + x) * outC + o] = v;
                else weights[((o * kh + y) * kw + x) * inC + i] = v;
            }
            float[] bias = conv.bias is null ? new float[outC] : conv.bias.cpu().data<float>().ToArray();

            int outH = (Shape.H + padding.Top + padding.Bottom - kh) / sh + 1;
            int outW = (Shape.W + padding.Left + padding.Right - kw) / sw + 1;
            var kind = depthwise ? OpKind.DepthwiseConv2D : OpKind.Conv2D;
            Append(name, new OpSpec(kind, [Current], Current + 1, kernel, sh, sw, padding), new FloatParams(weights, bias),
                new Dims(1, outH, outW, outC));
            _foldable = true;
        }

        /// <summary>y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta, per output channel.</summary>
        private void FoldBatchNorm(string name, BatchNorm bn)
        {
            if (!_foldable || _ops[^1].Params is not { } p) throw Unsupported(name, "batch norm that does not follow a convolution");
            float[] mean = bn.running_mean!.cpu().data<float>().ToArray();
            float[] variance = bn.running_var!.cpu().data<float>().ToArray();
            float[]? gamma = bn.weight?.cpu().data<float>().ToArray();
            float[]? beta = bn.bias?.cpu().data<float>().ToArray();
            var spec = _ops[^1].Spec;
            int channels = p.Bias.Length;
            var scale = new double[channels];
            var bias = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                scale[c] = (gamma?[c] ?? 1.0) / Math.Sqrt(variance[c] + bn.eps);
                bias[c] = (float)((p.Bias[c] - mean[c]) * scale[c] + (beta?[c] ?? 0.0));
            }
            var weights = new float[p.Weights.Length];
            for (int i = 0; i < weights.Length; i++) weights[i] = (float)(p.Weights[i] * scale[ChannelOf(spec, i)]);
            _ops[^1] = _ops[^1] with { Params = new FloatParams(weights, bias) };
            _foldable = false;
        }

        private static int ChannelOf(OpSpec spec, int weightIndex) =>
            spec.Kind == OpKind.DepthwiseConv2D ? weightIndex % spec.Kernel.C : weightIndex / (spec.Kernel.H * spec.Kernel.W * spec.Kernel.C);

        private void FuseRelu(string name)
        {
            if (_ops.Count == 0 || _ops[^1].Spec.Kind is not (OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected)
                || _ops[^1].Spec.Activation != FusedActivation.None)
                throw Unsupported(name, "ReLU that does not follow a convolution or fully connected layer");
            _ops[^1] = _ops[^1] with { Spec = _ops[^1].Spec with { Activation = FusedActivation.Relu } };
            _foldable = false;
        }

        private void AddMaxPool1d(string name, MaxPool1d pool)
        {
            if (!_oneDimensional || (pool.padding ?? 0) != 0 || (pool.dilation ?? 1) != 1) throw Unsupported(name, "padded or dilated max pooling");
            int k = (int)pool.kernel_size, s = (int)(pool.stride ?? pool.kernel_size);
            int steps = Shape.H - k;
            int outH = (pool.ceil_mode ? (steps + s - 1) / s : steps / s) + 1;
            int bottom = Math.Max(0, (outH - 1) * s + k - Shape.H);
            Append(name, new OpSpec(OpKind.MaxPool2D, [Current], Current + 1, new Dims(1, k, 1, 1), s, 1, new Padding(0, bottom, 0, 0)),
                null, new Dims(1, outH, 1, Shape.C));
        }

        private void AddLinear(string name, Linear linear)
        {
            int depth = Shape.H * Shape.W * Shape.C, outC = (int)linear.out_features;
            if (linear.in_features != depth) throw Unsupported(name, $"expects {linear.in_features} inputs, the graph has {depth}");
            // torch flattens NCHW (c, h, w); the graph flattens NHWC (h, w, c).
            float[] w = linear.weight!.cpu().data<float>().ToArray();
            var weights = new float[w.Length];
            int plane = Shape.H * Shape.W;
            for (int o = 0; o < outC; o++)
            for (int c = 0; c < Shape.C; c++)
            for (int hw = 0; hw < plane; hw++)
                weights[o * depth + hw * Shape.C + c] = w[o * depth + c * plane + hw];
            float[] bias = linear.bias is null ? new float[outC] : linear.bias.cpu().data<float>().ToArray();
            Append(name, new OpSpec(OpKind.FullyConnected, [Current], Current + 1, new Dims(outC, 1, 1, depth)),
                new FloatParams(weights, bias), new Dims(1, 1, 1, outC));
            _foldable = false;
        }

        private void Append(string name, OpSpec spec, FloatParams? parameters, Dims outputShape)
        {
            _tensors.Add(new GraphTensor(name, outputShape));
            _ops.Add(new GraphOp<FloatParams>(spec, parameters));
        }

        public FloatGraph Finish()
        {
            if (Shape != new Dims(1, 1, 1, _model.Classes))
                throw Unsupported("output", $"the last layer gives {Shape.H}x{Shape.W}x{Shape.C}, expected {_model.Classes} classes");
            Append("probabilities", new OpSpec(OpKind.Softmax, [Current], Current + 1), null, Shape);
            var graph = new FloatGraph(_tensors.ToArray(), _ops.ToArray(), 0, Current);
            var problems = GraphValidation.Problems(graph);
            if (problems.Count > 0) throw new HarkException($"model {_model.ModelName}: extracted graph is inconsistent: {string.Join("; ", problems)}");
            return graph;
        }

        private HarkException Unsupported(string layer, string what) =>
            new($"model {_model.ModelName}: layer '{layer}': {what} cannot be converted to the int8 graph");
    }
}
