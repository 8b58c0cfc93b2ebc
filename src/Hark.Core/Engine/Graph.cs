using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Engine;

/// <summary>
/// The deployable model as an explicit, ordered list of operators over NHWC tensors: what every exporter
/// (TFLite flatbuffer, ONNX, generated C) and both executors walk op by op.
/// </summary>
/// <remarks>
/// <para><b>Tensors.</b> <see cref="ModelGraph{TParams}.Tensors"/> holds the activation tensors only (weights live in
/// the ops). Tensor 0..n are referred to by index; <see cref="ModelGraph{TParams}.Input"/> is the features
/// <c>[1, frames, featuresPerFrame, 1]</c> (a clip's row-major <c>[frame, feature]</c> floats, reinterpreted)
/// and <see cref="ModelGraph{TParams}.Output"/> the softmax probabilities <c>[1, 1, 1, classes]</c>.
/// Ops appear in execution order; each op writes exactly one tensor that no other op writes.</para>
/// <para><b>Float graph</b> (<see cref="FloatGraph"/>): batch norm is already folded into the convolution weights and
/// bias, dropout is gone, ReLU is fused. <b>Quantized graph</b> (<see cref="QuantizedGraph"/>): TFLite int8
/// conventions throughout: per-tensor asymmetric activations, per-output-channel symmetric int8 weights
/// (TFLite quantized_dimension 0 for Conv2D/FullyConnected (OHWI), 3 for DepthwiseConv2D (1HWC)), int32 bias with
/// scale <c>input_scale * weight_scale[c]</c> and zero point 0, softmax output scale 1/256 zero point -128,
/// pooling and reshape outputs sharing their input's quantization.</para>
/// <para><b>Weight layouts.</b> Conv2D <c>(outC, kh, kw, inC)</c>; DepthwiseConv2D <c>(1, kh, kw, C)</c> (depth
/// multiplier 1); FullyConnected <c>(outC, 1, 1, depth)</c> over the NHWC-flattened input.</para>
/// </remarks>
public enum OpKind
{
    Conv2D,
    DepthwiseConv2D,
    FullyConnected,
    /// <summary>Average pooling; Hark models only use it globally (window = the whole H x W).</summary>
    AveragePool2D,
    MaxPool2D,
    /// <summary>Element-wise sum of two same-shaped tensors.</summary>
    Add,
    /// <summary>Same bytes, new shape (the output tensor's shape).</summary>
    Reshape,
    /// <summary>Softmax over C with beta 1.</summary>
    Softmax,
}

/// <summary>Activation fused into an op's output; in int8 it is a clamp of the requantized value.</summary>
public enum FusedActivation { None, Relu, Relu6 }

/// <summary>
/// Explicit zero padding of the input, in elements. TensorFlow 'same' padding with an even excess puts the extra
/// row/column at the bottom/right; the kernels read only <see cref="Top"/>/<see cref="Left"/>, the output shape
/// implies the rest.
/// </summary>
public readonly record struct Padding(int Top, int Bottom, int Left, int Right)
{
    public static Padding None => default;
}

/// <summary>Per-tensor asymmetric quantization: <c>real = Scale * (q - ZeroPoint)</c>. Float because .tflite stores floats.</summary>
public readonly record struct TensorQuantization(float Scale, int ZeroPoint);

/// <summary>An activation tensor: name (for diagnostics and exporters), NHWC shape, and in a quantized graph its quantization.</summary>
public sealed record GraphTensor(string Name, Dims Shape, TensorQuantization? Quantization = null);

/// <summary>
/// One operator's structure, identical in the float and the quantized graph.
/// </summary>
/// <param name="Kind">What it computes.</param>
/// <param name="Inputs">Activation tensor indices read (two for <see cref="OpKind.Add"/>, otherwise one).</param>
/// <param name="Output">Activation tensor index written.</param>
/// <param name="Kernel">Conv/depthwise/FC: the weight shape (see <see cref="OpKind"/> layouts); pooling: (1, windowH, windowW, 1); otherwise default.</param>
/// <param name="StrideH">Vertical stride (H is frames/time).</param>
/// <param name="StrideW">Horizontal stride (W is features/frequency).</param>
/// <param name="Padding">Explicit input padding for conv, depthwise and pooling.</param>
/// <param name="Activation">Fused activation of conv, depthwise, FC and add.</param>
public sealed record OpSpec(
    OpKind Kind, IReadOnlyList<int> Inputs, int Output,
    Dims Kernel = default, int StrideH = 1, int StrideW = 1, Padding Padding = default,
    FusedActivation Activation = FusedActivation.None);

/// <summary>Float parameters of a weighted op (conv, depthwise, FC); batch norm already folded in. Null for the others.</summary>
/// <param name="Weights">In the layout of <see cref="OpSpec.Kernel"/>.</param>
/// <param name="Bias">One per output channel.</param>
public sealed record FloatParams(float[] Weights, float[] Bias);

/// <summary>
/// Int8 parameters of a weighted op: symmetric int8 weights with one scale per output channel, int32 bias
/// (scale input_scale * weight_scale[c], zero point 0), and the precomputed requantization multipliers
/// (<see cref="QuantMath.QuantizeMultiplier"/> of input_scale * weight_scale[c] / output_scale).
/// FullyConnected is per-tensor in TFLite Micro's int8 kernel, so its <see cref="WeightScales"/> and
/// <see cref="Multipliers"/> have length 1.
/// </summary>
public sealed record Int8Params(sbyte[] Weights, float[] WeightScales, int[] Bias, QuantizedMultiplier[] Multipliers)
{
    /// <summary>TFLite quantized_dimension of the weights: 3 for depthwise (1HWC), else 0.</summary>
    public static int QuantizedDimension(OpKind kind) => kind == OpKind.DepthwiseConv2D ? 3 : 0;
}

/// <summary>An op with its parameters (null for ops without weights).</summary>
public sealed record GraphOp<TParams>(OpSpec Spec, TParams? Params) where TParams : class;

/// <summary>An ordered op list over activation tensors. See <see cref="OpKind"/> for the conventions.</summary>
public class ModelGraph<TParams>(IReadOnlyList<GraphTensor> tensors, IReadOnlyList<GraphOp<TParams>> ops, int input, int output)
    where TParams : class
{
    public IReadOnlyList<GraphTensor> Tensors { get; } = tensors;
    public IReadOnlyList<GraphOp<TParams>> Ops { get; } = ops;
    public int Input { get; } = input;
    public int Output { get; } = output;

    public Dims InputShape => Tensors[Input].Shape;
    public Dims OutputShape => Tensors[Output].Shape;
}

/// <summary>The float graph (batch norm folded, dropout removed).</summary>
public sealed class FloatGraph(IReadOnlyList<GraphTensor> tensors, IReadOnlyList<GraphOp<FloatParams>> ops, int input, int output)
    : ModelGraph<FloatParams>(tensors, ops, input, output);

/// <summary>The int8 graph; every tensor has a <see cref="GraphTensor.Quantization"/>.</summary>
public sealed class QuantizedGraph(IReadOnlyList<GraphTensor> tensors, IReadOnlyList<GraphOp<Int8Params>> ops, int input, int output)
    : ModelGraph<Int8Params>(tensors, ops, input, output)
{
    public TensorQuantization InputQuantization => Tensors[Input].Quantization!.Value;
    public TensorQuantization OutputQuantization => Tensors[Output].Quantization!.Value;
}
