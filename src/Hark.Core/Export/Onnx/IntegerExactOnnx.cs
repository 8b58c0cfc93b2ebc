using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Export.Onnx;

/// <summary>
/// The int8 graph with <see cref="Int8Kernels"/>' integer arithmetic written out in ONNX ops, so any conforming
/// runtime reproduces <see cref="Int8Engine"/> bit for bit (see <see cref="OnnxExporter.IntegerExact"/>).
/// </summary>
/// <remarks>
/// <para>Accumulation runs as a float Conv/MatMul over the centred int8 inputs and integer-valued float weights:
/// every partial sum is an integer below 2^24 in magnitude (checked at export), so float arithmetic sums it exactly
/// in any order. Everything after the accumulator is int64: bias, gemmlowp's rounding doubling high multiply (floor
/// division through Mod), the rounding right shift (ties away from zero via Sign/Abs/Div), zero point and clamp.</para>
/// <para>The softmax uses two 256-entry tables indexed by <c>x - max</c> (the fixed-point exp and its rescaled
/// summand, computed with the engine's own code) and spells out TFLite's reciprocal (leading zeros by comparison
/// with powers of two, three Newton-Raphson steps with saturating shifts).</para>
/// <para>C# and C wrap int32 intermediates; these int64 ops do not. The 2^24 check keeps accumulators far from that;
/// only a bias near the int32 limits, or a requantization multiplier above 1 on a huge sum, could still wrap there
/// and not here (the quantizer's calibrated scales give neither).</para>
/// </remarks>
internal sealed class IntegerExactOnnx(QuantizedGraph graph)
{
    private const long FloatExactLimit = 1 << 24;
    private readonly OnnxGraphBuilder _b = new(OnnxExporter.InputName, OnnxExporter.OutputName);
    private readonly string[] _values = new string[graph.Tensors.Count];

    public byte[] Build(IReadOnlyDictionary<string, string> metadata) =>
        NchwLayout.Int8Model(_b, graph, _values, Emit, "hark_int8_exact",
            "Hark int8 model, integer-exact: int8 features [1, frames, features] -> int8 probabilities [1, classes], scale 1/256, zero point -128", metadata);

    private TensorQuantization Q(int tensor) => graph.Tensors[tensor].Quantization!.Value;

    private string Emit(GraphOp<Int8Params> op)
    {
        OpSpec s = op.Spec;
        int input = s.Inputs[0];
        string name = graph.Tensors[s.Output].Name;
        var inShape = graph.Tensors[input].Shape;
        var outShape = graph.Tensors[s.Output].Shape;
        var (min, max) = Quantizer.ActivationRange(s.Activation, Q(s.Output));
        switch (s.Kind)
        {
            case OpKind.Conv2D or OpKind.DepthwiseConv2D:
            {
                var p = op.Params!;
                var (w, dims) = NchwLayout.ConvWeights(s, p.Weights);
                CheckExact(name, w, p.Bias.Length);
                long[] channelDims = [p.Bias.Length, 1, 1];
                string acc = _b.Node("Conv", [Centred(input, name), _b.Constant(name + "/weights", dims, ToFloat(w))], name + "/acc",
                    NchwLayout.ConvAttributes(s, NchwLayout.Group(s, inShape)));
                return Requantized(acc, p, channelDims, s.Output, min, max, name);
            }
            case OpKind.FullyConnected:
            {
                var p = op.Params!;
                int outC = s.Kernel.N, depth = s.Kernel.C;
                CheckExact(name, p.Weights, outC);
                var transposed = new float[p.Weights.Length];
                for (int o = 0; o < outC; o++)
                for (int d = 0; d < depth; d++)
                    transposed[d * outC + o] = p.Weights[o * depth + d];
                string flat = NchwLayout.Flatten(_b, _values[input], inShape, name + "/flatten");
                string centred = _b.Node("Sub", [_b.Node("Cast", [flat], name + "/flat_float", ("to", (long)OnnxType.Float)),
                    _b.Scalar(name + "/input_zero_point", (float)Q(input).ZeroPoint)], name + "/centred");
                string acc = _b.Node("MatMul", [centred, _b.Constant(name + "/weights", [depth, outC], transposed)], name + "/acc");
                string q = Requantized(acc, p, [outC], s.Output, min, max, name + "/int8");
                return NchwLayout.Unflatten(_b, q, outShape, name);
            }
            case OpKind.AveragePool2D:
                return AveragePool(s, inShape, outShape, name, min, max);
            case OpKind.MaxPool2D:
            {
                string pooled = _b.Node("MaxPool", [ToFloat(_values[input], name)], name + "/pool", NchwLayout.PoolAttributes(s));
                string clamped = _b.Node("Clip", [pooled, _b.Scalar(name + "/min", (float)min), _b.Scalar(name + "/max", (float)max)], name + "/clamp");
                return _b.Node("Cast", [clamped], name, ("to", (long)OnnxType.Int8));
            }
            case OpKind.Add:
                return Add(s, name, min, max);
            case OpKind.Reshape:
                return NchwLayout.Reshape(_b, _values[input], outShape, name);
            case OpKind.Softmax:
                return Softmax(input, name);
            default:
                throw new NotSupportedException($"op {s.Kind}");
        }
    }

    /// <summary>Each output's worst-case |sum| (|input - zero point| ≤ 255) must stay in float's exact integer range.</summary>
    private static void CheckExact(string name, sbyte[] weights, int outputs)
    {
        int perOutput = weights.Length / outputs;
        for (int o = 0; o < outputs; o++)
        {
            long worst = 0;
            for (int i = 0; i < perOutput; i++) worst += Math.Abs(weights[o * perOutput + i]) * 255L;
            if (worst >= FloatExactLimit)
                throw new HarkException($"layer {name}: the int8 sum can reach {worst}, beyond 2^24, so the integer-exact ONNX model cannot accumulate it exactly; use the QDQ model");
        }
    }

    private static float[] ToFloat(sbyte[] values) => values.Select(v => (float)v).ToArray();

    private string ToFloat(string value, string name) => _b.Node("Cast", [value], name + "/float", ("to", (long)OnnxType.Float));
    private string ToInt64(string value, string name) => _b.Node("Cast", [value], name + "/int64", ("to", (long)OnnxType.Int64));

    /// <summary>int8 value minus its zero point, as float (TFLM's input + input_offset); padding then contributes 0.</summary>
    private string Centred(int tensor, string name) =>
        _b.Node("Sub", [ToFloat(_values[tensor], name + "/input"), _b.Scalar(name + "/input_zero_point", (float)Q(tensor).ZeroPoint)], name + "/centred");

    /// <summary>Float accumulator (exact integers) + int32 bias, requantized per channel, + zero point, clamped, int8.</summary>
    private string Requantized(string accumulator, Int8Params p, long[] channelDims, int output, int min, int max, string name)
    {
        string acc = _b.Node("Add", [ToInt64(accumulator, name + "/acc"), _b.Constant(name + "/bias", channelDims, p.Bias.Select(v => (long)v).ToArray())], name + "/biased");
        string scaled = MultiplyByQuantizedMultiplier(acc, p.Multipliers, channelDims, name);
        return ToInt8(_b.Node("Add", [scaled, _b.Scalar(name + "/output_zero_point", (long)Q(output).ZeroPoint)], name + "/offset"), min, max, name);
    }

    private string ToInt8(string value, int min, int max, string name)
    {
        string clamped = _b.Node("Clip", [value, _b.Scalar(name + "/min", (long)min), _b.Scalar(name + "/max", (long)max)], name + "/clamp");
        return _b.Node("Cast", [clamped], name, ("to", (long)OnnxType.Int8));
    }

    /// <summary><see cref="QuantMath.MultiplyByQuantizedMultiplier"/> on int64 values, one multiplier per channel (or one for all).</summary>
    private string MultiplyByQuantizedMultiplier(string x, IReadOnlyList<QuantizedMultiplier> multipliers, long[] channelDims, string name)
    {
        long[] dims = multipliers.Count > 1 ? channelDims : [];
        if (multipliers.Any(m => m.Shift > 0))
            x = _b.Node("Mul", [x, _b.Constant(name + "/left_shift", dims, multipliers.Select(m => 1L << Math.Max(m.Shift, 0)).ToArray())], name + "/shifted");
        string high = HighMul(x, _b.Constant(name + "/multiplier", dims, multipliers.Select(m => (long)m.Multiplier).ToArray()), name);
        int[] rightShifts = multipliers.Select(m => Math.Max(-m.Shift, 0)).ToArray();
        return RoundingDivideByPowerOfTwo(high, dims, rightShifts, name);
    }

    /// <summary>gemmlowp SaturatingRoundingDoublingHighMul: floor((a*b + 2^30) / 2^31), floor via Mod (sign of the divisor).</summary>
    private string HighMul(string a, string b, string name)
    {
        string product = _b.Node("Add", [_b.Node("Mul", [a, b], name + "/product"), _b.Scalar(name + "/half", 1L << 30)], name + "/nudged");
        string twoTo31 = _b.Scalar(name + "/two_to_31", 1L << 31);
        string remainder = _b.Node("Mod", [product, twoTo31], name + "/remainder", ("fmod", 0));
        return _b.Node("Div", [_b.Node("Sub", [product, remainder], name + "/floored"), twoTo31], name + "/high");
    }

    private string RoundingDivideByPowerOfTwo(string x, long[] dims, int[] exponents, string name)
    {
        if (exponents.All(e => e == 0)) return x;
        return RoundingDivide(x,
            _b.Constant(name + "/divisor", dims, exponents.Select(e => 1L << e).ToArray()),
            _b.Constant(name + "/divisor_half", dims, exponents.Select(e => (1L << e) >> 1).ToArray()), name);
    }

    /// <summary>x / divisor rounded to nearest, ties away from zero: sign(x) * ((|x| + half) / divisor).</summary>
    private string RoundingDivide(string x, string divisor, string half, string name)
    {
        string magnitude = _b.Node("Div", [_b.Node("Add", [_b.Node("Abs", [x], name + "/abs"), half], name + "/abs_nudged"), divisor], name + "/abs_quotient");
        return _b.Node("Mul", [_b.Node("Sign", [x], name + "/sign"), magnitude], name + "/rounded");
    }

    /// <summary>
    /// TFLM's int8 average pool: the sum of the raw int8 values in the window (a depthwise all-ones convolution, exact
    /// in float), divided by the number of window positions inside the input, rounded half away from zero.
    /// </summary>
    private string AveragePool(OpSpec s, Dims inShape, Dims outShape, string name, int min, int max)
    {
        var ones = Enumerable.Repeat(1f, inShape.C * s.Kernel.H * s.Kernel.W).ToArray();
        string sum = _b.Node("Conv", [ToFloat(_values[s.Inputs[0]], name), _b.Constant(name + "/ones", [inShape.C, 1, s.Kernel.H, s.Kernel.W], ones)],
            name + "/sum", [("kernel_shape", new long[] { s.Kernel.H, s.Kernel.W }), ("strides", new long[] { s.StrideH, s.StrideW }),
                ("pads", new long[] { s.Padding.Top, s.Padding.Left, s.Padding.Bottom, s.Padding.Right }), ("group", inShape.C)]);
        var counts = new long[outShape.H * outShape.W];
        for (int oy = 0; oy < outShape.H; oy++)
        for (int ox = 0; ox < outShape.W; ox++)
        {
            int y0 = oy * s.StrideH - s.Padding.Top, x0 = ox * s.StrideW - s.Padding.Left;
            int rows = Math.Min(y0 + s.Kernel.H, inShape.H) - Math.Max(y0, 0), cols = Math.Min(x0 + s.Kernel.W, inShape.W) - Math.Max(x0, 0);
            counts[oy * outShape.W + ox] = (long)rows * cols;
        }
        long[] countDims = [1, 1, outShape.H, outShape.W];
        string average = RoundingDivide(ToInt64(sum, name + "/sum"), _b.Constant(name + "/count", countDims, counts),
            _b.Constant(name + "/count_half", countDims, counts.Select(c => c / 2).ToArray()), name);
        return ToInt8(average, min, max, name);
    }

    /// <summary>TFLite's int8 ADD (<see cref="Int8Kernels.AddS8"/>): both inputs rescaled with 20 bits of headroom, summed, rescaled.</summary>
    private string Add(OpSpec s, string name, int min, int max)
    {
        var q1 = Q(s.Inputs[0]);
        var q2 = Q(s.Inputs[1]);
        var p = AddParams.FromScales(q1.Scale, q1.ZeroPoint, q2.Scale, q2.ZeroPoint, Q(s.Output).Scale, Q(s.Output).ZeroPoint);
        string Term(int tensor, int offset, int multiplier, int shift, string part)
        {
            string centred = _b.Node("Add", [ToInt64(_values[tensor], $"{name}/{part}"), _b.Scalar($"{name}/{part}_offset", (long)offset)], $"{name}/{part}_centred");
            string shifted = _b.Node("Mul", [centred, _b.Scalar($"{name}/{part}_headroom", 1L << p.LeftShift)], $"{name}/{part}_shifted");
            return MultiplyByQuantizedMultiplier(shifted, [new QuantizedMultiplier(multiplier, shift)], [], $"{name}/{part}");
        }
        string sum = _b.Node("Add", [Term(s.Inputs[0], p.Input1Offset, p.Input1Multiplier, p.Input1Shift, "a"),
            Term(s.Inputs[1], p.Input2Offset, p.Input2Multiplier, p.Input2Shift, "b")], name + "/sum");
        string scaled = MultiplyByQuantizedMultiplier(sum, [new QuantizedMultiplier(p.OutputMultiplier, p.OutputShift)], [], name + "/out");
        return ToInt8(_b.Node("Add", [scaled, _b.Scalar(name + "/output_zero_point", (long)p.OutputOffset)], name + "/offset"), min, max, name);
    }

    /// <summary><see cref="Int8Kernels.SoftmaxS8"/> over axis 1 (the channels).</summary>
    private string Softmax(int input, string name)
    {
        var p = SoftmaxParams.FromBeta(1f, Q(input).Scale);
        // Tables indexed by diff + 255 for diff = x - max in [-255, 0]; differences below DiffMin contribute nothing.
        var exp = new long[256];
        var summand = new long[256];
        for (int diff = -255; diff <= 0; diff++)
        {
            if (diff < p.DiffMin) continue;
            int e = Int8Kernels.ExpOfDiff(diff, p);
            exp[diff + 255] = e;
            summand[diff + 255] = FixedPoint.Rescale(e, 0, AccumulationIntegerBits);
        }
        string x = ToInt64(_values[input], name);
        string max = _b.Node("ReduceMax", [x], name + "/max", ("axes", new long[] { 1 }), ("keepdims", 1));
        string index = _b.Node("Add", [_b.Node("Sub", [x, max], name + "/diff"), _b.Scalar(name + "/255", 255L)], name + "/index");
        string expOfDiff = _b.Node("Gather", [_b.Constant(name + "/exp_table", [256], exp), index], name + "/exp");
        string summands = _b.Node("Gather", [_b.Constant(name + "/summand_table", [256], summand), index], name + "/summands");
        string sum = _b.Node("ReduceSum", [summands, _b.Constant(name + "/axis1", [1], [1L])], name + "/sum", ("keepdims", 1));

        // GetReciprocal: headroom = leading zeros of the (positive, 32-bit) sum = how many of 2^1..2^31 exceed it.
        var powers = Enumerable.Range(0, 63).Select(k => 1L << k).ToArray();
        string powerTable = _b.Constant(name + "/powers_of_two", [63], powers);
        string below = _b.Node("Less", [_b.Node("Unsqueeze", [sum, _b.Constant(name + "/last", [1], [-1L])], name + "/sum_column"),
            _b.Constant(name + "/thresholds", [31], powers.AsSpan(1, 31))], name + "/below");
        string headroom = _b.Node("ReduceSum", [_b.Node("Cast", [below], name + "/below_int", ("to", (long)OnnxType.Int64)),
            _b.Constant(name + "/last_axis", [1], [-1L])], name + "/headroom", ("keepdims", 0));
        string shiftedSumMinusOne = _b.Node("Sub", [_b.Node("Mul", [sum, _b.Node("Gather", [powerTable, headroom], name + "/headroom_power")], name + "/shifted_sum"),
            _b.Scalar(name + "/one_q31", 1L << 31)], name + "/shifted_sum_minus_one");
        string reciprocal = OneOverOnePlusX(shiftedSumMinusOne, name + "/reciprocal");

        // exponent = numBitsOverUnit + 31 - 8 = (12 - headroom) + 23.
        string exponent = _b.Node("Sub", [_b.Scalar(name + "/35", 35L), headroom], name + "/exponent");
        string divisor = _b.Node("Gather", [powerTable, exponent], name + "/divisor");
        string half = _b.Node("Gather", [_b.Constant(name + "/half_powers", [63], powers.Select(v => v >> 1).ToArray()), exponent], name + "/divisor_half");
        string unsaturated = RoundingDivide(HighMul(reciprocal, expOfDiff, name + "/scaled_exp"), divisor, half, name + "/probability");
        return ToInt8(_b.Node("Sub", [unsaturated, _b.Scalar(name + "/128", 128L)], name + "/offset"), -128, 127, name);
    }

    private const int AccumulationIntegerBits = 12;

    /// <summary><see cref="FixedPoint.OneOverOnePlusXForXIn01"/> on int64 values.</summary>
    private string OneOverOnePlusX(string a, string name)
    {
        string halfDenominator = _b.Node("Div", [_b.Node("Add", [a, _b.Scalar(name + "/max_plus_one", 1L << 31)], name + "/a_plus_one"), _b.Scalar(name + "/2", 2L)], name + "/half_denominator");
        string x = _b.Node("Add", [_b.Scalar(name + "/48_over_17", 1515870810L), HighMul(halfDenominator, _b.Scalar(name + "/neg_32_over_17", -1010580540L), name + "/x0_term")], name + "/x0");
        for (int i = 0; i < 3; i++)
        {
            string step = $"{name}/step{i}";
            string oneMinus = _b.Node("Sub", [_b.Scalar(step + "/one_f2", 1L << 29), HighMul(halfDenominator, x, step + "/hd_x")], step + "/one_minus");
            x = _b.Node("Add", [x, SaturatingShiftLeft(HighMul(x, oneMinus, step + "/x_term"), 2, step)], step + "/x");
        }
        return SaturatingShiftLeft(x, 1, name + "/result");
    }

    /// <summary>gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent: x * 2^k clamped to int32.</summary>
    private string SaturatingShiftLeft(string x, int k, string name) =>
        _b.Node("Clip", [_b.Node("Mul", [x, _b.Scalar(name + "/pow", 1L << k)], name + "/shifted"),
            _b.Scalar(name + "/int_min", (long)int.MinValue), _b.Scalar(name + "/int_max", (long)int.MaxValue)], name + "/saturated");
}
