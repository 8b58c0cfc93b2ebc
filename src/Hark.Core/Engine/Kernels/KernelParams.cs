namespace Hark.Engine.Kernels;

/// <summary>A 4-D NHWC shape (CMSIS-NN's cmsis_nn_dims). Filters use N for output channels (OHWI).</summary>
public readonly record struct Dims(int N, int H, int W, int C)
{
    public int FlatSize => N * H * W * C;
}

/// <summary>
/// Convolution parameters (also used by the depthwise kernel, whose depth multiplier is always 1).
/// Offsets follow TFLM: <see cref="InputOffset"/> = -input zero point, <see cref="OutputOffset"/> = +output zero point.
/// Dilation is always 1. The activation limits implement fused ReLU/ReLU6 and must lie in [-128, 127].
/// </summary>
public readonly record struct ConvParams(
    int InputOffset, int OutputOffset,
    int StrideH, int StrideW, int PadH, int PadW,
    int ActivationMin = -128, int ActivationMax = 127);

/// <summary>Fully connected parameters; <see cref="FilterOffset"/> is 0 for symmetric weights.</summary>
public readonly record struct FullyConnectedParams(
    int InputOffset, int FilterOffset, int OutputOffset,
    int ActivationMin = -128, int ActivationMax = 127);

/// <summary>Pooling window, stride and padding (top/left), with output clamping. Input and output share quantization.</summary>
public readonly record struct PoolParams(
    int FilterH, int FilterW, int StrideH, int StrideW, int PadH, int PadW,
    int ActivationMin = -128, int ActivationMax = 127);

/// <summary>Per-output-channel requantization (CMSIS-NN's cmsis_nn_per_channel_quant_params).</summary>
public readonly ref struct PerChannelQuant(ReadOnlySpan<int> multipliers, ReadOnlySpan<int> shifts)
{
    public ReadOnlySpan<int> Multipliers { get; } = multipliers;
    public ReadOnlySpan<int> Shifts { get; } = shifts;
}
