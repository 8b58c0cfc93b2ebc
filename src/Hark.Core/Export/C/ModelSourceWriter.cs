using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Export.C;

/// <summary>
/// Compiles a <see cref="ModelPackage"/> to C: <c>hark_model.h</c> (sizes, input quantization, detector defaults) and
/// <c>hark_model.c</c> (constant weights and parameters, and <c>hark_model_invoke</c>: one straight-line call into
/// runtime/c/hark_nn.c per op, at the arena offsets of <see cref="ArenaPlan"/>). No interpreter and nothing parsed at
/// run time. Every number is the package's: the multipliers, shifts and clamps are the ones <see cref="Int8Engine"/>
/// derives, so the C library computes the engine's bytes.
/// </summary>
public static class ModelSourceWriter
{
    /// <summary>Bumped whenever the emitted code changes meaning; stamped into both files.</summary>
    public const int GeneratorVersion = 2;

    public const string HeaderFileName = "hark_model.h";
    public const string SourceFileName = "hark_model.c";

    /// <summary>What the generated code needs in RAM, and where the network's input and output live.</summary>
    public sealed record Layout(int ArenaBytes, int ScratchBytes, int InputOffset, int OutputOffset, IReadOnlyList<int> Offsets);

    public static Layout LayoutOf(QuantizedGraph graph)
    {
        var plan = ArenaPlan.For(graph);
        int scratch = graph.Ops.Max(op => KernelScratch.Bytes(graph, op.Spec));
        return new Layout(plan.Size, scratch, plan.Offsets[graph.Input], plan.Offsets[graph.Output], plan.Offsets);
    }

    /// <summary>Hex SHA-256 of the package bytes: names the exact model a library was generated from.</summary>
    public static string PackageDigest(ModelPackage package) => Convert.ToHexStringLower(SHA256.HashData(package.ToBytes()));

    public static string Header(ModelPackage package)
    {
        var graph = package.Graph;
        var layout = LayoutOf(graph);
        var input = graph.InputShape;
        var q = graph.InputQuantization;
        var d = package.Detector;
        var s = new StringBuilder();
        Banner(s, HeaderFileName, package);
        s.Append("#ifndef HARK_MODEL_H\n#define HARK_MODEL_H\n\n#include <stdint.h>\n\n");
        s.Append("#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
        Define(s, "HARK_MODEL_GENERATOR_VERSION", GeneratorVersion.ToString(CultureInfo.InvariantCulture));
        Define(s, "HARK_MODEL_NAME", CString(package.Metadata.ModelName));
        Define(s, "HARK_MODEL_PACKAGE_SHA256", CString(PackageDigest(package)));
        Define(s, "HARK_MODEL_LABELS", Int(package.Labels.Count));
        s.Append("/* The network's input: HARK_MODEL_FRAMES frames of HARK_MODEL_FEATURES int8 features, quantized as\n" +
                 "   clamp(roundf(x / HARK_MODEL_INPUT_SCALE) + HARK_MODEL_INPUT_ZERO_POINT, -128, 127). */\n");
        Define(s, "HARK_MODEL_FRAMES", Int(input.H));
        Define(s, "HARK_MODEL_FEATURES", Int(input.W));
        Define(s, "HARK_MODEL_INPUT_SCALE", FrontEndTablesWriter.HexFloat(q.Scale));
        Define(s, "HARK_MODEL_INPUT_ZERO_POINT", Int(q.ZeroPoint));
        s.Append("/* RAM: the activation arena (tensors share bytes when their lifetimes do not overlap) and the kernels'\n" +
                 "   scratch. Input and output are byte offsets into the arena. */\n");
        Define(s, "HARK_MODEL_ARENA_BYTES", Int(layout.ArenaBytes));
        Define(s, "HARK_MODEL_SCRATCH_BYTES", Int(layout.ScratchBytes));
        Define(s, "HARK_MODEL_INPUT_OFFSET", Int(layout.InputOffset));
        Define(s, "HARK_MODEL_OUTPUT_OFFSET", Int(layout.OutputOffset));
        s.Append("/* Detector settings stored in the model (hark_kws_init loads them; see hark_kws.h). */\n");
        Define(s, "HARK_MODEL_INFER_EVERY", Int(d.InferEvery));
        Define(s, "HARK_MODEL_SMOOTHING", Int(d.Smoothing));
        Define(s, "HARK_MODEL_MIN_COUNT", Int(d.MinCount));
        Define(s, "HARK_MODEL_REFRACTORY", Int(d.RefractorySamples));
        s.Append('\n');
        s.Append("extern const char *const hark_model_labels[HARK_MODEL_LABELS];\n");
        s.Append("/* Per label, 1/256 probability units; 0 = never fires. */\n");
        s.Append("extern const uint16_t hark_model_thresholds[HARK_MODEL_LABELS];\n\n");
        s.Append("/* Runs the network: int8 input at arena + HARK_MODEL_INPUT_OFFSET, int8 softmax output (probability\n" +
                 "   (q + 128) / 256) at arena + HARK_MODEL_OUTPUT_OFFSET. `arena` holds HARK_MODEL_ARENA_BYTES, `scratch`\n" +
                 "   HARK_MODEL_SCRATCH_BYTES, 4-byte aligned. Returns 0, or the 1-based number of the op whose kernel\n" +
                 "   refused its arguments (cannot happen with an unmodified export). */\n");
        s.Append("int32_t hark_model_invoke(int8_t *arena, void *scratch);\n\n");
        s.Append("/* The scratch bytes the kernels ask for (hark_*_get_buffer_size), for tests: <= HARK_MODEL_SCRATCH_BYTES. */\n");
        s.Append("int32_t hark_model_scratch_needed(void);\n\n");
        s.Append("#ifdef __cplusplus\n}\n#endif\n\n#endif /* HARK_MODEL_H */\n");
        return s.ToString();
    }

    public static string Source(ModelPackage package)
    {
        var graph = package.Graph;
        var layout = LayoutOf(graph);
        var s = new StringBuilder();
        Banner(s, SourceFileName, package);
        s.Append("#include \"hark_model.h\"\n\n#include <string.h>\n\n#include \"hark_nn.h\"\n\n");
        s.Append("#if HARK_MODEL_GENERATOR_VERSION != ").Append(GeneratorVersion)
         .Append("\n#error \"hark_model.h and hark_model.c come from different Hark versions\"\n#endif\n\n");

        s.Append("const char *const hark_model_labels[HARK_MODEL_LABELS] = {");
        s.Append(string.Join(", ", package.Labels.Select(CString))).Append("};\n");
        s.Append("const uint16_t hark_model_thresholds[HARK_MODEL_LABELS] = {");
        s.Append(string.Join(", ", package.Detector.Thresholds.Select(t => Int(t)))).Append("};\n\n");

        var calls = new StringBuilder();
        var scratchCalls = new StringBuilder();
        var dims = new Dictionary<Dims, string>();
        for (int i = 0; i < graph.Ops.Count; i++)
            EmitOp(s, calls, scratchCalls, dims, graph, layout, i);

        s.Append("int32_t hark_model_invoke(int8_t *arena, void *scratch)\n{\n");
        s.Append("    const hark_nn_context ctx = {scratch, HARK_MODEL_SCRATCH_BYTES};\n");
        s.Append("    (void)ctx;\n");
        s.Append(calls);
        s.Append("    return 0;\n}\n\n");
        s.Append("int32_t hark_model_scratch_needed(void)\n{\n    int32_t need = 0, n;\n");
        s.Append(scratchCalls);
        s.Append("    return need;\n}\n");
        return s.ToString();
    }

    private static void EmitOp(StringBuilder s, StringBuilder calls, StringBuilder scratchCalls, Dictionary<Dims, string> dims,
        QuantizedGraph graph, Layout layout, int index)
    {
        // Shapes repeat from layer to layer (25x5x64 in every DS-CNN block): each is emitted once and shared.
        string D(Dims d)
        {
            if (dims.TryGetValue(d, out var name)) return name;
            name = $"dims_{d.N}x{d.H}x{d.W}x{d.C}";
            s.Append($"static const hark_dims {name} = {{{Int(d.N)}, {Int(d.H)}, {Int(d.W)}, {Int(d.C)}}};\n");
            dims[d] = name;
            return name;
        }
        var op = graph.Ops[index];
        var spec = op.Spec;
        string p = $"op{index}";
        var inTensor = graph.Tensors[spec.Inputs[0]];
        var outTensor = graph.Tensors[spec.Output];
        var inQ = inTensor.Quantization!.Value;
        var outQ = outTensor.Quantization!.Value;
        var (min, max) = Quantizer.ActivationRange(spec.Activation, outQ);
        string inPtr = $"arena + {Int(layout.Offsets[spec.Inputs[0]])}", outPtr = $"arena + {Int(layout.Offsets[spec.Output])}";
        string activation = $"{{{Int(min)}, {Int(max)}}}";

        s.Append("/* op ").Append(index + 1).Append(": ").Append(Describe(graph, spec)).Append(" */\n");
        if (spec.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected)
        {
            var w = op.Params!;
            Int8Array(s, $"{p}_weights", w.Weights);
            Int32Array(s, $"{p}_bias", w.Bias);
            if (spec.Kind != OpKind.FullyConnected)   // per tensor: its one multiplier goes into the params below
            {
                Int32Array(s, $"{p}_multiplier", w.Multipliers.Select(m => m.Multiplier).ToArray());
                Int8Array(s, $"{p}_shift", w.Multipliers.Select(m => checked((sbyte)m.Shift)).ToArray());
            }
        }
        string inDims = D(inTensor.Shape), outDims = D(outTensor.Shape);
        string filterDims = spec.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.FullyConnected ? D(spec.Kernel)
            : spec.Kind is OpKind.AveragePool2D or OpKind.MaxPool2D ? D(new Dims(1, spec.Kernel.H, spec.Kernel.W, 1)) : "";
        string Call(string call) => $"    if ({call} != HARK_NN_OK) return {Int(index + 1)};\n";
        switch (spec.Kind)
        {
            case OpKind.Conv2D:
                s.Append($"static const hark_conv_params {p}_params = {{.input_offset = {Int(-inQ.ZeroPoint)}, " +
                         $".output_offset = {Int(outQ.ZeroPoint)}, .stride = {{{Int(spec.StrideH)}, {Int(spec.StrideW)}}}, " +
                         $".padding = {{{Int(spec.Padding.Top)}, {Int(spec.Padding.Left)}}}, .activation = {activation}}};\n");
                s.Append($"static const hark_per_channel_quant {p}_quant = {{{p}_multiplier, {p}_shift}};\n\n");
                calls.Append(Call($"hark_conv_s8(&ctx, &{p}_params, &{p}_quant, &{inDims}, {inPtr}, &{filterDims}, {p}_weights, 0, " +
                                  $"{p}_bias, &{outDims}, {outPtr})"));
                scratchCalls.Append($"    n = hark_conv_s8_get_buffer_size(&{inDims}, &{filterDims});\n    if (n > need) need = n;\n");
                break;
            case OpKind.DepthwiseConv2D:
                s.Append($"static const hark_dw_conv_params {p}_params = {{.input_offset = {Int(-inQ.ZeroPoint)}, " +
                         $".output_offset = {Int(outQ.ZeroPoint)}, .ch_mult = 1, .stride = {{{Int(spec.StrideH)}, {Int(spec.StrideW)}}}, " +
                         $".padding = {{{Int(spec.Padding.Top)}, {Int(spec.Padding.Left)}}}, .activation = {activation}}};\n");
                s.Append($"static const hark_per_channel_quant {p}_quant = {{{p}_multiplier, {p}_shift}};\n\n");
                calls.Append(Call($"hark_dw_conv_s8(&ctx, &{p}_params, &{p}_quant, &{inDims}, {inPtr}, &{filterDims}, {p}_weights, 0, " +
                                  $"{p}_bias, &{outDims}, {outPtr})"));
                scratchCalls.Append($"    n = hark_dw_conv_s8_get_buffer_size(&{p}_params, &{inDims}, &{filterDims}, &{outDims});\n" +
                                    "    if (n > need) need = n;\n");
                break;
            case OpKind.FullyConnected:
                s.Append($"static const hark_fc_params {p}_params = {{.input_offset = {Int(-inQ.ZeroPoint)}, .filter_offset = 0, " +
                         $".output_offset = {Int(outQ.ZeroPoint)}, .activation = {activation}}};\n");
                s.Append($"static const hark_per_tensor_quant {p}_quant = {{{Int(op.Params!.Multipliers[0].Multiplier)}, " +
                         $"{Int(op.Params.Multipliers[0].Shift)}}};\n\n");
                calls.Append(Call($"hark_fc_s8(&ctx, &{p}_params, &{p}_quant, &{inDims}, {inPtr}, &{filterDims}, {p}_weights, 0, " +
                                  $"{p}_bias, &{outDims}, {outPtr})"));
                break;
            case OpKind.AveragePool2D or OpKind.MaxPool2D:
                s.Append($"static const hark_pool_params {p}_params = {{.stride = {{{Int(spec.StrideH)}, {Int(spec.StrideW)}}}, " +
                         $".padding = {{{Int(spec.Padding.Top)}, {Int(spec.Padding.Left)}}}, .activation = {activation}}};\n\n");
                string kernel = spec.Kind == OpKind.AveragePool2D ? "hark_avgpool_s8" : "hark_maxpool_s8";
                calls.Append(Call($"{kernel}(&ctx, &{p}_params, &{inDims}, {inPtr}, &{filterDims}, &{outDims}, {outPtr})"));
                break;
            case OpKind.Add:
                var in2Q = graph.Tensors[spec.Inputs[1]].Quantization!.Value;
                var a = AddParams.FromScales(inQ.Scale, inQ.ZeroPoint, in2Q.Scale, in2Q.ZeroPoint, outQ.Scale, outQ.ZeroPoint, min, max);
                s.Append($"static const hark_add_params {p}_params = {{{Int(a.Input1Offset)}, {Int(a.Input1Multiplier)}, {Int(a.Input1Shift)}, " +
                         $"{Int(a.Input2Offset)}, {Int(a.Input2Multiplier)}, {Int(a.Input2Shift)}, {Int(a.OutputOffset)}, " +
                         $"{Int(a.OutputMultiplier)}, {Int(a.OutputShift)}, {Int(a.LeftShift)}, {activation}}};\n\n");
                string in2Ptr = $"arena + {Int(layout.Offsets[spec.Inputs[1]])}";
                calls.Append(Call($"hark_add_s8(&{p}_params, {inPtr}, {in2Ptr}, {outPtr}, {Int(inTensor.Shape.FlatSize)})"));
                break;
            case OpKind.Reshape:
                s.Append('\n');
                calls.Append($"    memmove({outPtr}, {inPtr}, {Int(inTensor.Shape.FlatSize)});\n");
                break;
            case OpKind.Softmax:
                var sm = SoftmaxParams.FromBeta(1f, inQ.Scale);
                s.Append($"static const hark_softmax_params {p}_params = {{{Int(sm.InputMultiplier)}, {Int(sm.InputLeftShift)}, " +
                         $"{Int(sm.DiffMin)}}};\n\n");
                calls.Append(Call($"hark_softmax_s8(&{p}_params, &{outDims}, {inPtr}, {outPtr})"));
                break;
            default:
                throw new NotSupportedException($"op {index + 1}: {spec.Kind} has no C kernel");
        }
    }

    private static string Describe(QuantizedGraph graph, OpSpec spec)
    {
        Dims i = graph.Tensors[spec.Inputs[0]].Shape, o = graph.Tensors[spec.Output].Shape;
        string shape(Dims d) => $"{d.H}x{d.W}x{d.C}";
        string window = spec.Kind is OpKind.Conv2D or OpKind.DepthwiseConv2D or OpKind.AveragePool2D or OpKind.MaxPool2D
            ? $" {spec.Kernel.H}x{spec.Kernel.W} stride {spec.StrideH}x{spec.StrideW}" : "";
        string act = spec.Activation == FusedActivation.None ? "" : $", {spec.Activation}";
        return $"{spec.Kind}{window}, {shape(i)} -> {shape(o)}{act}";
    }

    private static void Banner(StringBuilder s, string file, ModelPackage package)
    {
        var m = package.Metadata;
        var stats = GraphStats.Of(package.Graph);
        s.Append("/* ").Append(file).Append(" - generated by `hark export --format c` (ModelSourceWriter v")
         .Append(GeneratorVersion).Append(", Hark ").Append(m.ToolVersion).Append(") - do not edit.\n");
        s.Append("   Model: ").Append(m.ModelName).Append(", labels ").Append(string.Join(", ", package.Labels)).Append('\n');
        s.Append("   ").Append(stats.Parameters.ToString("N0", CultureInfo.InvariantCulture)).Append(" parameters, ")
         .Append(stats.Macs.ToString("N0", CultureInfo.InvariantCulture)).Append(" MACs per inference; package SHA-256 ")
         .Append(PackageDigest(package)).Append(".\n");
        if (m.DataFingerprint is not null) s.Append("   Training data fingerprint: ").Append(m.DataFingerprint).Append(".\n");
        s.Append("*/\n");
    }

    private static void Define(StringBuilder s, string name, string value) =>
        s.Append("#define ").Append(name).Append(' ').Append(value).Append('\n');

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A C string literal; anything outside printable ASCII becomes an octal escape.</summary>
    internal static string CString(string text)
    {
        var s = new StringBuilder("\"");
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            s.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' and not (byte)'?'
                ? ((char)b).ToString() : $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}");
        return s.Append('"').ToString();
    }

    private static void Int8Array(StringBuilder s, string name, sbyte[] values) =>
        Array(s, "int8_t", name, values.Length, i => Int(values[i]), 24);

    private static void Int32Array(StringBuilder s, string name, int[] values) =>
        Array(s, "int32_t", name, values.Length, i => Int(values[i]), 10);

    private static void Array(StringBuilder s, string type, string name, int length, Func<int, string> item, int perLine)
    {
        s.Append("static const ").Append(type).Append(' ').Append(name).Append('[').Append(Int(length)).Append("] = {");
        for (int i = 0; i < length; i++) s.Append(i % perLine == 0 ? "\n    " : " ").Append(item(i)).Append(',');
        s.Append("\n};\n");
    }
}

/// <summary>
/// The scratch bytes each kernel of runtime/c/hark_nn.c asks for (its <c>hark_*_get_buffer_size</c>), so the generator
/// can size the static buffer. The generated <c>hark_model_scratch_needed()</c> asks the kernels themselves, and the
/// library tests check that it never exceeds what is computed here.
/// </summary>
internal static class KernelScratch
{
    public static int Bytes(QuantizedGraph graph, OpSpec spec)
    {
        var output = graph.Tensors[spec.Output].Shape;
        switch (spec.Kind)
        {
            case OpKind.Conv2D:
                // Twice hark_conv_s8_get_buffer_size: room for four im2col columns lets the DSP path run its faster
                // 4-pixel kernel (hark_nn.h, MEMORY).
                int k = spec.Kernel.H * spec.Kernel.W * spec.Kernel.C;
                return 2 * (2 * (k & ~3) + 8) * sizeof(short);
            case OpKind.DepthwiseConv2D when spec.Kernel.H == 3 && spec.Kernel.W == 3:
                // hark__dw_geometry: as many transposed int16 channel planes (two at most) as the older
                // "one padded plane + one int32 per output pixel" size holds.
                int inputOffset = -graph.Tensors[spec.Inputs[0]].Quantization!.Value.ZeroPoint;
                if (inputOffset is < -16383 + 128 or > 16383 - 127 || spec.Padding.Top < 0 || spec.Padding.Left < 0) return 0;
                int cols = (output.W - 1) * spec.StrideW + 3, rows = (output.H - 1) * spec.StrideH + 3, pitch = (rows + 1) & ~1;
                int v01 = ((rows * cols + 1) & ~1) * sizeof(short) + output.H * output.W * sizeof(int);
                int plane = cols * pitch * sizeof(short);
                return (2 * plane <= v01 ? 2 : plane <= v01 ? 1 : 0) * plane;
            default:
                return 0;
        }
    }
}
