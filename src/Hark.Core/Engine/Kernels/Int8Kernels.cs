using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hark.Quantization;

namespace Hark.Engine.Kernels;

/// <summary>
/// Reference int8 kernels, shaped like CMSIS-NN / TFLM reference kernels: NHWC, int8 data, int32 bias,
/// explicit quantization. These are the ground truth the C runtime (runtime/c/hark_nn.c) must equal bit for bit.
/// </summary>
/// <remarks>
/// <para>Arithmetic order is TFLM's: an int32 sum of <c>filter * (input + input_offset)</c>, then the bias, then
/// <see cref="QuantMath.MultiplyByQuantizedMultiplier"/>, then the output offset, then the clamp.</para>
/// <para>The accumulator cannot overflow in practice: each term is at most 128 * 255 = 32,640 in magnitude, so
/// 65,000 terms fit. Arithmetic wraps anyway (here and in C), so even pathological biases give identical bits.</para>
/// <para>Bias spans may be empty (no bias). Output dims are taken as given; input positions outside the
/// input (padding) contribute nothing, as in TFLM. Nothing allocates.</para>
/// <para>Where AVX2 is available, convolution and depthwise convolution run vectorized paths (an int16 im2col patch
/// and <c>vpmaddwd</c> dot products; 8 channels per lane group). Integer addition is exact and wraps identically in
/// any order, so they give the scalar loops' bytes; tests compare both paths and both against the C kernels.</para>
/// </remarks>
public static class Int8Kernels
{
    /// <summary>Tests switch this off to compare the vector paths with the scalar ones in one process.</summary>
    internal static bool VectorsEnabled { get; set; } = true;

    private static bool UseAvx2 => Avx2.IsSupported && VectorsEnabled;

    /// <summary>Largest im2col patch (kh * kw * inC) and channel count the vector paths keep on the stack.</summary>
    private const int MaxVectorScratch = 4096;

    /// <summary>Convolution. Filter dims are (outC, kh, kw, inC), OHWI. One multiplier and shift per output channel.</summary>
    public static void ConvS8(
        in ConvParams p, in PerChannelQuant q,
        Dims input, ReadOnlySpan<sbyte> inputData,
        Dims filter, ReadOnlySpan<sbyte> filterData,
        ReadOnlySpan<int> bias,
        Dims output, Span<sbyte> outputData)
    {
        CheckConv(p.StrideH, p.StrideW, p.ActivationMin, p.ActivationMax, input, inputData.Length, output, outputData.Length);
        Require(filter.N == output.C && filter.C == input.C && filter.H > 0 && filter.W > 0, "filter dims do not match input/output channels");
        Require(filterData.Length >= filter.FlatSize, "filter data shorter than its dims");
        CheckPerChannel(q, bias, output.C);
        if (UseAvx2 && filter.H * filter.W * filter.C is >= 16 and <= MaxVectorScratch)
        {
            ConvAvx2(p, q, input, inputData, filter, filterData, bias, output, outputData);
            return;
        }

        int inC = input.C;
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            int inY0 = oy * p.StrideH - p.PadH;
            int inX0 = ox * p.StrideW - p.PadW;
            int outBase = ((b * output.H + oy) * output.W + ox) * output.C;
            for (int oc = 0; oc < output.C; oc++)
            {
                int acc = 0;
                for (int fy = 0; fy < filter.H; fy++)
                {
                    int iy = inY0 + fy;
                    if ((uint)iy >= (uint)input.H) continue;
                    for (int fx = 0; fx < filter.W; fx++)
                    {
                        int ix = inX0 + fx;
                        if ((uint)ix >= (uint)input.W) continue;
                        ReadOnlySpan<sbyte> inRow = inputData.Slice(((b * input.H + iy) * input.W + ix) * inC, inC);
                        ReadOnlySpan<sbyte> fRow = filterData.Slice(((oc * filter.H + fy) * filter.W + fx) * inC, inC);
                        for (int ic = 0; ic < inRow.Length; ic++)
                            acc += fRow[ic] * (inRow[ic] + p.InputOffset);
                    }
                }
                outputData[outBase + oc] = Requantize(acc, bias, oc, q.Multipliers[oc], q.Shifts[oc], p.OutputOffset, p.ActivationMin, p.ActivationMax);
            }
        }
    }

    /// <summary>
    /// Depthwise convolution with depth multiplier 1 (the only one keyword-spotting models use):
    /// filter dims (1, kh, kw, C), input and output have the same C.
    /// </summary>
    public static void DepthwiseConvS8(
        in ConvParams p, in PerChannelQuant q,
        Dims input, ReadOnlySpan<sbyte> inputData,
        Dims filter, ReadOnlySpan<sbyte> filterData,
        ReadOnlySpan<int> bias,
        Dims output, Span<sbyte> outputData)
    {
        CheckConv(p.StrideH, p.StrideW, p.ActivationMin, p.ActivationMax, input, inputData.Length, output, outputData.Length);
        Require(input.C == output.C, "depthwise conv needs input and output channels equal (depth multiplier 1)");
        Require(filter.N == 1 && filter.C == output.C && filter.H > 0 && filter.W > 0, "depthwise filter dims must be (1, kh, kw, C)");
        Require(filterData.Length >= filter.FlatSize, "filter data shorter than its dims");
        CheckPerChannel(q, bias, output.C);
        if (UseAvx2 && output.C is >= 8 and <= MaxVectorScratch)
        {
            DepthwiseConvAvx2(p, q, input, inputData, filter, filterData, bias, output, outputData);
            return;
        }

        int channels = output.C;
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            int inY0 = oy * p.StrideH - p.PadH;
            int inX0 = ox * p.StrideW - p.PadW;
            int outBase = ((b * output.H + oy) * output.W + ox) * channels;
            for (int c = 0; c < channels; c++)
            {
                int acc = 0;
                for (int fy = 0; fy < filter.H; fy++)
                {
                    int iy = inY0 + fy;
                    if ((uint)iy >= (uint)input.H) continue;
                    for (int fx = 0; fx < filter.W; fx++)
                    {
                        int ix = inX0 + fx;
                        if ((uint)ix >= (uint)input.W) continue;
                        int inValue = inputData[((b * input.H + iy) * input.W + ix) * channels + c];
                        acc += filterData[(fy * filter.W + fx) * channels + c] * (inValue + p.InputOffset);
                    }
                }
                outputData[outBase + c] = Requantize(acc, bias, c, q.Multipliers[c], q.Shifts[c], p.OutputOffset, p.ActivationMin, p.ActivationMax);
            }
        }
    }

    /// <summary>ConvS8 with an int16 patch of (input + offset) per output pixel (0 in the padding) and AVX2 dot products.</summary>
    private static void ConvAvx2(
        in ConvParams p, in PerChannelQuant q, Dims input, ReadOnlySpan<sbyte> inputData, Dims filter,
        ReadOnlySpan<sbyte> filterData, ReadOnlySpan<int> bias, Dims output, Span<sbyte> outputData)
    {
        int inC = input.C, k = filter.H * filter.W * inC, kVector = k & ~15;
        Span<short> patch = stackalloc short[k];
        Span<int> acc = stackalloc int[output.C];
        ref short patchRef = ref MemoryMarshal.GetReference(patch);
        ref sbyte filterRef = ref MemoryMarshal.GetReference(filterData);
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            int inY0 = oy * p.StrideH - p.PadH, inX0 = ox * p.StrideW - p.PadW, at = 0;
            for (int fy = 0; fy < filter.H; fy++)
            for (int fx = 0; fx < filter.W; fx++, at += inC)
            {
                int iy = inY0 + fy, ix = inX0 + fx;
                Span<short> slot = patch.Slice(at, inC);
                if ((uint)iy >= (uint)input.H || (uint)ix >= (uint)input.W)
                {
                    slot.Clear();
                    continue;
                }
                ReadOnlySpan<sbyte> inRow = inputData.Slice(((b * input.H + iy) * input.W + ix) * inC, inC);
                for (int ic = 0; ic < inC; ic++) slot[ic] = (short)(inRow[ic] + p.InputOffset);
            }
            int outBase = ((b * output.H + oy) * output.W + ox) * output.C;
            for (int oc = 0; oc < output.C; oc++)
            {
                ref sbyte w = ref Unsafe.Add(ref filterRef, oc * k);
                var sum = Vector256<int>.Zero;
                for (int i = 0; i < kVector; i += 16)
                {
                    var weights = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref w, (nuint)i));
                    sum = Avx2.Add(sum, Avx2.MultiplyAddAdjacent(weights, Vector256.LoadUnsafe(ref patchRef, (nuint)i)));
                }
                int dot = Vector256.Sum(sum);
                for (int i = kVector; i < k; i++) dot += Unsafe.Add(ref w, i) * patch[i];
                acc[oc] = dot;
            }
            RequantizeAvx2(acc, bias, q, p.OutputOffset, p.ActivationMin, p.ActivationMax, outputData.Slice(outBase, output.C));
        }
    }

    /// <summary>DepthwiseConvS8 with 8 channels per AVX2 operation, int32 accumulators per channel.</summary>
    private static void DepthwiseConvAvx2(
        in ConvParams p, in PerChannelQuant q, Dims input, ReadOnlySpan<sbyte> inputData, Dims filter,
        ReadOnlySpan<sbyte> filterData, ReadOnlySpan<int> bias, Dims output, Span<sbyte> outputData)
    {
        int channels = output.C, vectorChannels = channels & ~7;
        Span<int> acc = stackalloc int[channels];
        ref int accRef = ref MemoryMarshal.GetReference(acc);
        ref sbyte inRef = ref MemoryMarshal.GetReference(inputData);
        ref sbyte filterRef = ref MemoryMarshal.GetReference(filterData);
        var offset = Vector256.Create(p.InputOffset);
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            int inY0 = oy * p.StrideH - p.PadH, inX0 = ox * p.StrideW - p.PadW;
            acc.Clear();
            for (int fy = 0; fy < filter.H; fy++)
            {
                int iy = inY0 + fy;
                if ((uint)iy >= (uint)input.H) continue;
                for (int fx = 0; fx < filter.W; fx++)
                {
                    int ix = inX0 + fx;
                    if ((uint)ix >= (uint)input.W) continue;
                    int inBase = ((b * input.H + iy) * input.W + ix) * channels, wBase = (fy * filter.W + fx) * channels;
                    int c = 0;
                    for (; c < vectorChannels; c += 8)
                    {
                        var x = Avx2.Add(Avx2.ConvertToVector256Int32(Load8(ref Unsafe.Add(ref inRef, inBase + c))), offset);
                        var w = Avx2.ConvertToVector256Int32(Load8(ref Unsafe.Add(ref filterRef, wBase + c)));
                        Vector256.StoreUnsafe(Avx2.Add(Vector256.LoadUnsafe(ref accRef, (nuint)c), Avx2.MultiplyLow(x, w)), ref accRef, (nuint)c);
                    }
                    for (; c < channels; c++)
                        acc[c] += filterData[wBase + c] * (inputData[inBase + c] + p.InputOffset);
                }
            }
            int outBase = ((b * output.H + oy) * output.W + ox) * channels;
            RequantizeAvx2(acc, bias, q, p.OutputOffset, p.ActivationMin, p.ActivationMax, outputData.Slice(outBase, channels));
        }
    }

    /// <summary>
    /// <see cref="Requantize"/> for a run of channels, eight at a time: bias, TFLM's double-rounding multiply
    /// (SaturatingRoundingDoublingHighMul as two 32x32->64 lane multiplies, then RoundingDivideByPOT with per-lane
    /// shifts), output offset, clamp. Channel groups holding the one saturating input (multiplier int.MinValue) and the
    /// tail take the scalar rule.
    /// </summary>
    private static void RequantizeAvx2(ReadOnlySpan<int> acc, ReadOnlySpan<int> bias, in PerChannelQuant q, int outputOffset,
        int min, int max, Span<sbyte> dst)
    {
        int n = dst.Length, c = 0;
        var nudge = Vector256.Create(1L << 30);
        var one = Vector256.Create(1);
        var offset = Vector256.Create(outputOffset);
        var low = Vector256.Create(min);
        var high = Vector256.Create(max);
        Span<int> lanes = stackalloc int[8];
        for (; c + 8 <= n; c += 8)
        {
            var m = Vector256.Create(q.Multipliers.Slice(c, 8));
            if (Vector256.EqualsAny(m, Vector256.Create(int.MinValue))) break;
            var x = Vector256.Create(acc.Slice(c, 8));
            if (!bias.IsEmpty) x = Avx2.Add(x, Vector256.Create(bias.Slice(c, 8)));
            var shift = Vector256.Create(q.Shifts.Slice(c, 8));
            var left = Avx2.Max(shift, Vector256<int>.Zero);
            var right = Avx2.Subtract(left, shift);   // max(-shift, 0)
            x = Avx2.ShiftLeftLogicalVariable(x, left.AsUInt32());
            // (x * m + 2^30) >> 31 per lane; the low 32 bits of a logical 64-bit shift are those of the arithmetic one.
            var even = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Multiply(x, m), nudge), 31).AsInt32();
            var odd = Avx2.ShiftRightLogical(Avx2.Add(Avx2.Multiply(Avx2.ShiftRightLogical(x.AsInt64(), 32).AsInt32(),
                Avx2.ShiftRightLogical(m.AsInt64(), 32).AsInt32()), nudge), 31);
            var high32 = Avx2.Blend(even, Avx2.ShiftLeftLogical(odd, 32).AsInt32(), 0b10101010);
            // RoundingDivideByPOT: (x >> e) + (remainder > (mask >> 1) + (x < 0)).
            var mask = Avx2.Subtract(Avx2.ShiftLeftLogicalVariable(one, right.AsUInt32()), one);
            var remainder = Avx2.And(high32, mask);
            var threshold = Avx2.Subtract(Avx2.ShiftRightArithmetic(mask, 1), Avx2.ShiftRightArithmetic(high32, 31));
            var rounded = Avx2.Subtract(Avx2.ShiftRightArithmeticVariable(high32, right.AsUInt32()), Avx2.CompareGreaterThan(remainder, threshold));
            var y = Avx2.Min(Avx2.Max(Avx2.Add(rounded, offset), low), high);
            y.CopyTo(lanes);
            for (int i = 0; i < 8; i++) dst[c + i] = (sbyte)lanes[i];
        }
        for (; c < n; c++) dst[c] = Requantize(acc[c], bias, c, q.Multipliers[c], q.Shifts[c], outputOffset, min, max);
    }

    /// <summary>Eight int8 values into the low half of a vector (the rest zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Load8(ref sbyte source) =>
        Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<long>(ref Unsafe.As<sbyte, byte>(ref source))).AsSByte();

    /// <summary>
    /// Fully connected: input is (N, depth) flattened from any (N, H, W, C); filter dims (outC, 1, 1, depth),
    /// output (N, 1, 1, outC). One multiplier for the whole tensor.
    /// </summary>
    public static void FullyConnectedS8(
        in FullyConnectedParams p, QuantizedMultiplier q,
        Dims input, ReadOnlySpan<sbyte> inputData,
        Dims filter, ReadOnlySpan<sbyte> filterData,
        ReadOnlySpan<int> bias,
        Dims output, Span<sbyte> outputData)
    {
        CheckActivation(p.ActivationMin, p.ActivationMax);
        CheckPositive(input);
        CheckPositive(output);
        CheckPositive(filter);
        int depth = filter.H * filter.W * filter.C;
        int outC = filter.N;
        Require(input.N == output.N && input.H * input.W * input.C == depth, "input size does not match the filter depth");
        Require(output.H * output.W * output.C == outC, "output size does not match the filter's output count");
        Require(inputData.Length >= input.FlatSize && filterData.Length >= filter.FlatSize && outputData.Length >= output.FlatSize,
            "a data span is shorter than its dims");
        Require(bias.IsEmpty || bias.Length >= outC, "bias shorter than the output channels");

        for (int b = 0; b < output.N; b++)
        {
            ReadOnlySpan<sbyte> x = inputData.Slice(b * depth, depth);
            for (int o = 0; o < outC; o++)
            {
                ReadOnlySpan<sbyte> w = filterData.Slice(o * depth, depth);
                int acc = 0;
                for (int d = 0; d < depth; d++)
                    acc += (w[d] + p.FilterOffset) * (x[d] + p.InputOffset);
                outputData[b * outC + o] = Requantize(acc, bias, o, q.Multiplier, q.Shift, p.OutputOffset, p.ActivationMin, p.ActivationMax);
            }
        }
    }

    /// <summary>Average pooling with TFLM's rounding: (sum ± count/2) / count, counting only positions inside the input.</summary>
    public static void AvgPoolS8(in PoolParams p, Dims input, ReadOnlySpan<sbyte> inputData, Dims output, Span<sbyte> outputData)
    {
        CheckPool(p, input, inputData.Length, output, outputData.Length);
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            PoolWindow(p, input, oy, ox, out int y0, out int y1, out int x0, out int x1);
            int count = (y1 - y0) * (x1 - x0);
            if (count <= 0) ThrowArgument("a pooling window lies entirely in the padding");
            for (int c = 0; c < output.C; c++)
            {
                int acc = 0;
                for (int iy = y0; iy < y1; iy++)
                for (int ix = x0; ix < x1; ix++)
                    acc += inputData[((b * input.H + iy) * input.W + ix) * input.C + c];
                acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
                outputData[((b * output.H + oy) * output.W + ox) * output.C + c] = (sbyte)Math.Clamp(acc, p.ActivationMin, p.ActivationMax);
            }
        }
    }

    /// <summary>Max pooling over the positions inside the input, then the clamp.</summary>
    public static void MaxPoolS8(in PoolParams p, Dims input, ReadOnlySpan<sbyte> inputData, Dims output, Span<sbyte> outputData)
    {
        CheckPool(p, input, inputData.Length, output, outputData.Length);
        for (int b = 0; b < output.N; b++)
        for (int oy = 0; oy < output.H; oy++)
        for (int ox = 0; ox < output.W; ox++)
        {
            PoolWindow(p, input, oy, ox, out int y0, out int y1, out int x0, out int x1);
            for (int c = 0; c < output.C; c++)
            {
                int max = sbyte.MinValue;
                for (int iy = y0; iy < y1; iy++)
                for (int ix = x0; ix < x1; ix++)
                    max = Math.Max(max, inputData[((b * input.H + iy) * input.W + ix) * input.C + c]);
                outputData[((b * output.H + oy) * output.W + ox) * output.C + c] = (sbyte)Math.Clamp(max, p.ActivationMin, p.ActivationMax);
            }
        }
    }

    /// <summary>
    /// TFLite's reference int8 softmax over the last dimension (rows = N*H*W, row length C ≤ 256).
    /// The output has scale 1/256 and zero point -128.
    /// </summary>
    public static void SoftmaxS8(in SoftmaxParams p, Dims dims, ReadOnlySpan<sbyte> inputData, Span<sbyte> outputData)
    {
        CheckPositive(dims);
        // Up to 256 classes the fixed-point sum stays below 2^8, which keeps TFLite's output exponent within 31.
        Require(dims.C <= MaxSoftmaxRow, "softmax rows longer than 256 are not supported");
        Require(p.InputLeftShift is >= 0 and <= 31 && p.DiffMin <= 0, "softmax params out of range");
        Require(inputData.Length >= dims.FlatSize && outputData.Length >= dims.FlatSize, "a data span is shorter than its dims");

        const int accumulationIntegerBits = 12;
        int depth = dims.C;
        int rows = dims.N * dims.H * dims.W;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<sbyte> x = inputData.Slice(r * depth, depth);
            Span<sbyte> y = outputData.Slice(r * depth, depth);
            int maxInRow = sbyte.MinValue;
            foreach (sbyte v in x) maxInRow = Math.Max(maxInRow, v);

            int sumOfExps = 0;
            foreach (sbyte v in x)
            {
                int diff = v - maxInRow;
                if (diff >= p.DiffMin)
                    sumOfExps += FixedPoint.Rescale(ExpOfDiff(diff, p), 0, accumulationIntegerBits);
            }

            int shiftedScale = FixedPoint.GetReciprocal(sumOfExps, accumulationIntegerBits, out int numBitsOverUnit);
            int exponent = numBitsOverUnit + 31 - 8;
            for (int c = 0; c < depth; c++)
            {
                int diff = x[c] - maxInRow;
                if (diff >= p.DiffMin)
                {
                    int unsat = QuantMath.RoundingDivideByPOT(QuantMath.SaturatingRoundingDoublingHighMul(shiftedScale, ExpOfDiff(diff, p)), exponent);
                    y[c] = (sbyte)Math.Clamp(unsat - 128, -128, 127);
                }
                else
                {
                    y[c] = sbyte.MinValue;
                }
            }
        }
    }

    /// <summary>Longest softmax row the fixed-point arithmetic is guaranteed to handle.</summary>
    public const int MaxSoftmaxRow = 256;

    internal static int ExpOfDiff(int diff, in SoftmaxParams p)
    {
        int rescaled = QuantMath.MultiplyByQuantizedMultiplierGreaterThanOne(diff, p.InputMultiplier, p.InputLeftShift);
        return FixedPoint.ExpOnNegativeValues(rescaled, SoftmaxParams.ScaledDiffIntegerBits);
    }

    /// <summary>Element-wise int8 ADD of two same-shaped tensors (TFLite int8 ADD, no broadcasting).</summary>
    public static void AddS8(in AddParams p, ReadOnlySpan<sbyte> input1, ReadOnlySpan<sbyte> input2, Span<sbyte> output)
    {
        CheckActivation(p.ActivationMin, p.ActivationMax);
        Require(input1.Length == input2.Length && output.Length >= input1.Length, "ADD inputs differ in length or the output is too short");
        Require(p.LeftShift is >= 0 and <= 30 && p.Input1Shift <= 0 && p.Input2Shift <= 0 && p.OutputShift <= 0 &&
                p.Input1Shift >= -31 && p.Input2Shift >= -31 && p.OutputShift >= -31,
            "ADD shifts out of range (input/output shifts must be in [-31, 0])");
        for (int i = 0; i < input1.Length; i++)
        {
            int a = (input1[i] + p.Input1Offset) << p.LeftShift;
            int b = (input2[i] + p.Input2Offset) << p.LeftShift;
            int sum = QuantMath.MultiplyByQuantizedMultiplier(a, p.Input1Multiplier, p.Input1Shift)
                      + QuantMath.MultiplyByQuantizedMultiplier(b, p.Input2Multiplier, p.Input2Shift);
            int result = QuantMath.MultiplyByQuantizedMultiplier(sum, p.OutputMultiplier, p.OutputShift) + p.OutputOffset;
            output[i] = (sbyte)Math.Clamp(result, p.ActivationMin, p.ActivationMax);
        }
    }

    private static sbyte Requantize(int acc, ReadOnlySpan<int> bias, int channel, int multiplier, int shift, int outputOffset, int min, int max)
    {
        if (!bias.IsEmpty) acc += bias[channel];
        acc = QuantMath.MultiplyByQuantizedMultiplier(acc, multiplier, shift) + outputOffset;
        return (sbyte)Math.Clamp(acc, min, max);
    }

    private static void PoolWindow(in PoolParams p, Dims input, int oy, int ox, out int y0, out int y1, out int x0, out int x1)
    {
        int inY0 = oy * p.StrideH - p.PadH;
        int inX0 = ox * p.StrideW - p.PadW;
        y0 = inY0 + Math.Max(0, -inY0);
        y1 = inY0 + Math.Min(p.FilterH, input.H - inY0);
        x0 = inX0 + Math.Max(0, -inX0);
        x1 = inX0 + Math.Min(p.FilterW, input.W - inX0);
    }

    private static void CheckConv(int strideH, int strideW, int min, int max, Dims input, int inputLength, Dims output, int outputLength)
    {
        CheckActivation(min, max);
        CheckPositive(input);
        CheckPositive(output);
        Require(strideH > 0 && strideW > 0, "strides must be positive");
        Require(input.N == output.N, "input and output batch differ");
        Require(inputLength >= input.FlatSize && outputLength >= output.FlatSize, "a data span is shorter than its dims");
    }

    private static void CheckPool(in PoolParams p, Dims input, int inputLength, Dims output, int outputLength)
    {
        CheckConv(p.StrideH, p.StrideW, p.ActivationMin, p.ActivationMax, input, inputLength, output, outputLength);
        Require(input.C == output.C, "pooling keeps the channel count");
        Require(p.FilterH > 0 && p.FilterW > 0, "pooling window must be positive");
    }

    private static void CheckPerChannel(in PerChannelQuant q, ReadOnlySpan<int> bias, int outC)
    {
        Require(q.Multipliers.Length >= outC && q.Shifts.Length >= outC, "fewer multipliers/shifts than output channels");
        Require(bias.IsEmpty || bias.Length >= outC, "bias shorter than the output channels");
    }

    private static void CheckActivation(int min, int max) =>
        Require(min >= sbyte.MinValue && max <= sbyte.MaxValue && min <= max, "activation limits must satisfy -128 <= min <= max <= 127");

    private static void CheckPositive(Dims d) =>
        Require(d.N > 0 && d.H > 0 && d.W > 0 && d.C > 0, "dims must be positive");

    private static void Require(bool condition, string message)
    {
        if (!condition) ThrowArgument(message);
    }

    [DoesNotReturn]
    private static void ThrowArgument(string message) => throw new ArgumentException(message);
}
