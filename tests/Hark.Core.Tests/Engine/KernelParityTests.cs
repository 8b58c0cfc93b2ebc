using System.Diagnostics;
using CsCheck;
using Hark.Engine.Kernels;
using Hark.Quantization;

namespace Hark.Tests.Engine;

/// <summary>
/// The C runtime (runtime/c/hark_nn.c) must equal the C# kernels byte for byte. CsCheck generates random cases
/// (dims, offsets, multipliers, shifts, activation limits, extreme values), runtime/c/tests/parity_driver.c runs them
/// in C, and every output byte is compared. Skipped when no gcc is installed.
/// </summary>
public class KernelParityTests
{
    private const int CasesPerRun = 60;

    private sealed record Drivers(string Portable, string EmulatedDsp, string? Sanitized);

    private static readonly Lazy<Drivers?> BuiltDrivers = new(BuildDrivers);

    [SkippableFact]
    public void Random_cases_match_the_portable_C_kernels() => RunSample(RequireDrivers().Portable, iterations: 6);

    [SkippableFact]
    public void Random_cases_match_the_C_DSP_path_emulated_on_the_host() => RunSample(RequireDrivers().EmulatedDsp, iterations: 6);

    [SkippableFact]
    public void Random_cases_match_under_address_and_undefined_behaviour_sanitizers()
    {
        string? sanitized = RequireDrivers().Sanitized;
        Skip.If(sanitized is null, "gcc cannot build with -fsanitize=address,undefined here");
        RunSample(sanitized!, iterations: 2);
    }

    private static void RunSample(string driver, int iterations) =>
        AnyCase.Array[CasesPerRun].Sample(cases => AssertSameAsC(driver, cases), iter: iterations, threads: 1);

    private static void AssertSameAsC(string driver, ParityCase[] cases)
    {
        string dir = TestPaths.NewTempDir("kernel-parity");
        try
        {
            string casesPath = Path.Combine(dir, "cases.bin"), outputsPath = Path.Combine(dir, "outputs.bin");
            using (var writer = new BinaryWriter(File.Create(casesPath)))
            {
                writer.Write(cases.Length);
                foreach (ParityCase c in cases) c.Write(writer);
            }
            Run(driver, $"\"{casesPath}\" \"{outputsPath}\"");
            using var reader = new BinaryReader(File.OpenRead(outputsPath));
            foreach (ParityCase c in cases)
            {
                sbyte[] expected = c.Expected();
                int status = reader.ReadInt32(), count = reader.ReadInt32();
                var actual = new sbyte[count];
                for (int i = 0; i < count; i++) actual[i] = (sbyte)reader.ReadInt32();
                if (status != 0) Assert.Fail($"C returned status {status} for {c}");
                if (!expected.AsSpan().SequenceEqual(actual)) Assert.Fail($"C output differs from C# for {c}: {FirstDifference(expected, actual)}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string FirstDifference(sbyte[] expected, sbyte[] actual)
    {
        if (expected.Length != actual.Length) return $"length {actual.Length}, expected {expected.Length}";
        int i = 0;
        while (expected[i] == actual[i]) i++;
        return $"index {i}: C {actual[i]}, C# {expected[i]}";
    }

    // ---- generators ----------------------------------------------------------------------------------------------

    private static readonly Gen<sbyte> Int8 =
        Gen.Frequency((1, Gen.Const((sbyte)-128)), (1, Gen.Const((sbyte)127)), (6, Gen.SByte));

    private static readonly Gen<int> Bias =
        Gen.Frequency((8, Gen.Int[-40000, 40000]), (1, Gen.Const(int.MaxValue)), (1, Gen.Const(int.MinValue)), (1, Gen.Int));

    private static readonly Gen<(int Multiplier, int Shift)> Requant = Gen.Frequency(
        (4, Gen.Double[1e-5, 3.0].Select(r => QuantMath.QuantizeMultiplier(r)).Select(q => (q.Multiplier, q.Shift))),
        (2, Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[-31, 31])),
        (1, Gen.Select(Gen.Const(int.MaxValue), Gen.Int[-20, 2])));

    private static readonly Gen<(int Min, int Max)> Activation = Gen.Frequency(
        (2, Gen.Const((-128, 127))),
        (1, Gen.Int[-128, 127].SelectMany(min => Gen.Int[min, 127].Select(max => (min, max)))));

    private static int OutSize(int input, int window, int stride, int pad) => (input + 2 * pad - window) / stride + 1;

    /// <summary>Random convolutions; <paramref name="kernel3x3"/> forces the 3x3 window the depthwise DSP path specializes.</summary>
    private static Gen<ParityCase> Conv(bool depthwise, bool kernel3x3 = false) =>
        from n in Gen.Int[1, 2]
        from h in Gen.Int[kernel3x3 ? 3 : 1, 9]
        from w in Gen.Int[kernel3x3 ? 3 : 1, 9]
        from inC in Gen.Int[1, depthwise ? 14 : 12]
        from outC0 in Gen.Int[1, 10]
        from kh in kernel3x3 ? Gen.Const(3) : Gen.Int[1, Math.Min(h, 4)]
        from kw in kernel3x3 ? Gen.Const(3) : Gen.Int[1, Math.Min(w, 4)]
        from stride in Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3])
        from pad in Gen.Select(Gen.Int[0, kh - 1], Gen.Int[0, kw - 1])
        from offsets in Gen.Select(Gen.Int[-127, 128], Gen.Int[-128, 127])
        from act in Activation
        let outC = depthwise ? inC : outC0
        let input = new Dims(n, h, w, inC)
        let filter = depthwise ? new Dims(1, kh, kw, inC) : new Dims(outC, kh, kw, inC)
        let output = new Dims(n, OutSize(h, kh, stride.Item1, pad.Item1), OutSize(w, kw, stride.Item2, pad.Item2), outC)
        from inputData in Int8.Array[input.FlatSize]
        from filterData in Int8.Array[filter.FlatSize]
        from hasBias in Gen.Frequency((3, Gen.Const(true)), (1, Gen.Const(false)))
        from bias in Bias.Array[outC]
        from requant in Requant.Array[outC]
        select (ParityCase)new ConvCase(depthwise,
            new ConvParams(offsets.Item1, offsets.Item2, stride.Item1, stride.Item2, pad.Item1, pad.Item2, act.Min, act.Max),
            input, inputData, filter, filterData, hasBias ? bias : null,
            requant.Select(r => r.Multiplier).ToArray(), requant.Select(r => r.Shift).ToArray(), output);

    /// <summary>The DS-CNN-S hot layer, 25x5x64 -> 64 pointwise: exercises the full 2x2 inner loop of the DSP path.</summary>
    private static readonly Gen<ParityCase> Pointwise =
        from offsets in Gen.Select(Gen.Int[-127, 128], Gen.Int[-128, 127])
        from inputData in Int8.Array[25 * 5 * 64]
        from filterData in Int8.Array[64 * 64]
        from bias in Bias.Array[64]
        from requant in Requant.Array[64]
        select (ParityCase)new ConvCase(false, new ConvParams(offsets.Item1, offsets.Item2, 1, 1, 0, 0, 0, 127),
            new Dims(1, 25, 5, 64), inputData, new Dims(64, 1, 1, 64), filterData, bias,
            requant.Select(r => r.Multiplier).ToArray(), requant.Select(r => r.Shift).ToArray(), new Dims(1, 25, 5, 64));

    private static readonly Gen<(int Multiplier, int Shift)> TypicalRequant =
        Gen.Select(Gen.Int[1 << 30, int.MaxValue], Gen.Int[-23, -1]);

    /// <summary>
    /// Convolutions as a quantizer emits them (channels in fours, even output channels, a bias, real multipliers in
    /// [2^-23, 1)): the shape the C DSP path handles with its fused MAC + requantization loop.
    /// </summary>
    private static readonly Gen<ParityCase> TypicalConv =
        from h in Gen.Int[1, 8]
        from w in Gen.Int[1, 8]
        from inC in Gen.Int[1, 4].Select(g => 4 * g)
        from outC in Gen.Int[1, 6].Select(g => 2 * g)
        from kh in Gen.Int[1, Math.Min(h, 3)]
        from kw in Gen.Int[1, Math.Min(w, 3)]
        from stride in Gen.Int[1, 2]
        from pad in Gen.Select(Gen.Int[0, kh - 1], Gen.Int[0, kw - 1])
        from offsets in Gen.Select(Gen.Int[-127, 128], Gen.Int[-128, 127])
        from act in Activation
        let input = new Dims(1, h, w, inC)
        let filter = new Dims(outC, kh, kw, inC)
        let output = new Dims(1, OutSize(h, kh, stride, pad.Item1), OutSize(w, kw, stride, pad.Item2), outC)
        from inputData in Int8.Array[input.FlatSize]
        from filterData in Int8.Array[filter.FlatSize]
        from bias in Bias.Array[outC]
        from requant in TypicalRequant.Array[outC]
        select (ParityCase)new ConvCase(false,
            new ConvParams(offsets.Item1, offsets.Item2, stride, stride, pad.Item1, pad.Item2, act.Min, act.Max),
            input, inputData, filter, filterData, bias,
            requant.Select(r => r.Multiplier).ToArray(), requant.Select(r => r.Shift).ToArray(), output);

    /// <summary>The DS-CNN-S depthwise layer, 25x5x64 with a 3x3 window and padding 1.</summary>
    private static readonly Gen<ParityCase> DepthwiseDsCnn =
        from offsets in Gen.Select(Gen.Int[-127, 128], Gen.Int[-128, 127])
        from inputData in Int8.Array[25 * 5 * 64]
        from filterData in Int8.Array[9 * 64]
        from bias in Bias.Array[64]
        from requant in Requant.Array[64]
        select (ParityCase)new ConvCase(true, new ConvParams(offsets.Item1, offsets.Item2, 1, 1, 1, 1),
            new Dims(1, 25, 5, 64), inputData, new Dims(1, 3, 3, 64), filterData, bias,
            requant.Select(r => r.Multiplier).ToArray(), requant.Select(r => r.Shift).ToArray(), new Dims(1, 25, 5, 64));

    private static readonly Gen<ParityCase> FullyConnected =
        from batches in Gen.Int[1, 3]
        from depth in Gen.Int[1, 300]
        from outs in Gen.Int[1, 20]
        from offsets in Gen.Select(Gen.Int[-127, 128], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[-127, 128])), Gen.Int[-128, 127])
        from act in Activation
        from requant in Requant
        from inputData in Int8.Array[batches * depth]
        from filterData in Int8.Array[outs * depth]
        from hasBias in Gen.Bool
        from bias in Bias.Array[outs]
        select (ParityCase)new FullyConnectedCase(
            new FullyConnectedParams(offsets.Item1, offsets.Item2, offsets.Item3, act.Min, act.Max),
            new QuantizedMultiplier(requant.Multiplier, requant.Shift),
            new Dims(batches, 1, 1, depth), inputData, new Dims(outs, 1, 1, depth), filterData, hasBias ? bias : null,
            new Dims(batches, 1, 1, outs));

    private static Gen<ParityCase> Pool(bool average) =>
        from n in Gen.Int[1, 2]
        from h in Gen.Int[1, 9]
        from w in Gen.Int[1, 9]
        from c in Gen.Int[1, 10]
        from kh in Gen.Int[1, h]
        from kw in Gen.Int[1, w]
        from stride in Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3])
        from pad in Gen.Select(Gen.Int[0, kh - 1], Gen.Int[0, kw - 1])
        from act in Activation
        let input = new Dims(n, h, w, c)
        from inputData in Int8.Array[input.FlatSize]
        select (ParityCase)new PoolCase(average,
            new PoolParams(kh, kw, stride.Item1, stride.Item2, pad.Item1, pad.Item2, act.Min, act.Max),
            input, inputData,
            new Dims(n, OutSize(h, kh, stride.Item1, pad.Item1), OutSize(w, kw, stride.Item2, pad.Item2), c));

    private static readonly Gen<ParityCase> Softmax =
        from rows in Gen.Int[1, 3]
        from depth in Gen.Frequency((3, Gen.Int[1, 40]), (1, Gen.Int[41, Int8Kernels.MaxSoftmaxRow]))
        from beta in Gen.Frequency((3, Gen.Const(1f)), (1, Gen.Single[0.1f, 4f]))
        from scale in Gen.Single[0.001f, 0.5f]
        from inputData in Int8.Array[rows * depth]
        select (ParityCase)new SoftmaxCase(SoftmaxParams.FromBeta(beta, scale), new Dims(rows, 1, 1, depth), inputData);

    private static readonly Gen<ParityCase> Add =
        from scales in Gen.Select(Gen.Single[0.001f, 1f], Gen.Single[0.001f, 1f], Gen.Single[0.001f, 1f])
        from zeroPoints in Gen.Select(Gen.Int[-128, 127], Gen.Int[-128, 127], Gen.Int[-128, 127])
        from act in Activation
        from size in Gen.Int[1, 100]
        from a in Int8.Array[size]
        from b in Int8.Array[size]
        select (ParityCase)new AddCase(
            AddParams.FromScales(scales.Item1, zeroPoints.Item1, scales.Item2, zeroPoints.Item2, scales.Item3, zeroPoints.Item3, act.Min, act.Max),
            a, b);

    private static readonly Gen<ParityCase> AnyCase = Gen.Frequency(
        (6, Conv(false)), (3, TypicalConv), (4, Conv(true)), (3, Conv(true, kernel3x3: true)), (1, Pointwise), (1, DepthwiseDsCnn), (3, FullyConnected), (2, Pool(true)), (2, Pool(false)),
        (3, Softmax), (3, Add));

    // ---- cases: each writes itself in parity_driver.c's format and computes the C# answer ----------------------

    private abstract record ParityCase
    {
        public abstract void Write(BinaryWriter w);
        public abstract sbyte[] Expected();

        protected static void WriteAll(BinaryWriter w, params int[] values)
        {
            foreach (int v in values) w.Write(v);
        }

        protected static void WriteDims(BinaryWriter w, Dims d) => WriteAll(w, d.N, d.H, d.W, d.C);

        protected static void WriteData(BinaryWriter w, sbyte[] data)
        {
            foreach (sbyte v in data) w.Write((int)v);
        }
    }

    private sealed record ConvCase(bool Depthwise, ConvParams P, Dims Input, sbyte[] InputData, Dims Filter, sbyte[] FilterData,
        int[]? Bias, int[] Multipliers, int[] Shifts, Dims Output) : ParityCase
    {
        public override void Write(BinaryWriter w)
        {
            WriteAll(w, Depthwise ? 2 : 1, P.InputOffset, P.OutputOffset, P.StrideH, P.StrideW, P.PadH, P.PadW, P.ActivationMin, P.ActivationMax);
            WriteDims(w, Input);
            WriteDims(w, Filter);
            WriteDims(w, Output);
            WriteAll(w, Bias is null ? 0 : 1);
            WriteData(w, InputData);
            WriteData(w, FilterData);
            if (Bias is not null) WriteAll(w, Bias);
            WriteAll(w, Multipliers);
            WriteAll(w, Shifts);
        }

        public override sbyte[] Expected()
        {
            var output = new sbyte[Output.FlatSize];
            var q = new PerChannelQuant(Multipliers, Shifts);
            if (Depthwise) Int8Kernels.DepthwiseConvS8(P, q, Input, InputData, Filter, FilterData, Bias, Output, output);
            else Int8Kernels.ConvS8(P, q, Input, InputData, Filter, FilterData, Bias, Output, output);
            return output;
        }

        public override string ToString() =>
            $"{(Depthwise ? "depthwise" : "conv")} {P} input {Input} filter {Filter} output {Output} bias {(Bias is null ? "none" : "yes")}";
    }

    private sealed record FullyConnectedCase(FullyConnectedParams P, QuantizedMultiplier Q, Dims Input, sbyte[] InputData,
        Dims Filter, sbyte[] FilterData, int[]? Bias, Dims Output) : ParityCase
    {
        public override void Write(BinaryWriter w)
        {
            WriteAll(w, 3, P.InputOffset, P.FilterOffset, P.OutputOffset, P.ActivationMin, P.ActivationMax, Q.Multiplier, Q.Shift);
            WriteDims(w, Input);
            WriteDims(w, Filter);
            WriteDims(w, Output);
            WriteAll(w, Bias is null ? 0 : 1);
            WriteData(w, InputData);
            WriteData(w, FilterData);
            if (Bias is not null) WriteAll(w, Bias);
        }

        public override sbyte[] Expected()
        {
            var output = new sbyte[Output.FlatSize];
            Int8Kernels.FullyConnectedS8(P, Q, Input, InputData, Filter, FilterData, Bias, Output, output);
            return output;
        }

        public override string ToString() => $"fully connected {P} {Q} input {Input} filter {Filter}";
    }

    private sealed record PoolCase(bool Average, PoolParams P, Dims Input, sbyte[] InputData, Dims Output) : ParityCase
    {
        public override void Write(BinaryWriter w)
        {
            WriteAll(w, Average ? 4 : 5, P.StrideH, P.StrideW, P.PadH, P.PadW, P.ActivationMin, P.ActivationMax, P.FilterH, P.FilterW);
            WriteDims(w, Input);
            WriteDims(w, Output);
            WriteData(w, InputData);
        }

        public override sbyte[] Expected()
        {
            var output = new sbyte[Output.FlatSize];
            if (Average) Int8Kernels.AvgPoolS8(P, Input, InputData, Output, output);
            else Int8Kernels.MaxPoolS8(P, Input, InputData, Output, output);
            return output;
        }

        public override string ToString() => $"{(Average ? "avgpool" : "maxpool")} {P} input {Input} output {Output}";
    }

    private sealed record SoftmaxCase(SoftmaxParams P, Dims Dims, sbyte[] InputData) : ParityCase
    {
        public override void Write(BinaryWriter w)
        {
            WriteAll(w, 6, P.InputMultiplier, P.InputLeftShift, P.DiffMin);
            WriteDims(w, Dims);
            WriteData(w, InputData);
        }

        public override sbyte[] Expected()
        {
            var output = new sbyte[Dims.FlatSize];
            Int8Kernels.SoftmaxS8(P, Dims, InputData, output);
            return output;
        }

        public override string ToString() => $"softmax {P} dims {Dims}";
    }

    private sealed record AddCase(AddParams P, sbyte[] A, sbyte[] B) : ParityCase
    {
        public override void Write(BinaryWriter w)
        {
            WriteAll(w, 7, P.Input1Offset, P.Input1Multiplier, P.Input1Shift, P.Input2Offset, P.Input2Multiplier, P.Input2Shift,
                P.OutputOffset, P.OutputMultiplier, P.OutputShift, P.LeftShift, P.ActivationMin, P.ActivationMax, A.Length);
            WriteData(w, A);
            WriteData(w, B);
        }

        public override sbyte[] Expected()
        {
            var output = new sbyte[A.Length];
            Int8Kernels.AddS8(P, A, B, output);
            return output;
        }

        public override string ToString() => $"add {P} size {A.Length}";
    }

    // ---- building and running the C driver ---------------------------------------------------------------------

    private static Drivers RequireDrivers()
    {
        Drivers? drivers = BuiltDrivers.Value;
        Skip.If(drivers is null, "gcc not found on PATH: C parity not checked");
        return drivers!;
    }

    private static Drivers? BuildDrivers()
    {
        string? gcc = FindOnPath("gcc");
        if (gcc is null) return null;
        string runtime = Path.Combine(TestPaths.RepoRoot, "runtime", "c");
        string sources = $"\"{Path.Combine(runtime, "hark_nn.c")}\" \"{Path.Combine(runtime, "tests", "parity_driver.c")}\"";
        string dir = TestPaths.NewTempDir("parity-driver");
        const string strict = "-std=c99 -Wall -Wextra -Werror";

        string Build(string name, string flags)
        {
            string exe = Path.Combine(dir, name);
            Run(gcc, $"{strict} {flags} {sources} -o \"{exe}\"");
            return exe;
        }

        string portable = Build("parity_portable", "-O2");
        string emulated = Build("parity_emulated_dsp", "-O2 -DHARK_NN_EMULATE_DSP");
        string? sanitized;
        try
        {
            sanitized = Build("parity_sanitized", "-O1 -g -DHARK_NN_EMULATE_DSP -fsanitize=address,undefined -fno-sanitize-recover=all");
        }
        catch (HarkException)
        {
            sanitized = null; // compilers without libasan/libubsan
        }
        return new Drivers(portable, emulated, sanitized);
    }

    private static string? FindOnPath(string name) => Hark.Tests.Export.CToolchain.Find(name);

    private static void Run(string exe, string arguments) => Hark.Tests.Export.CToolchain.Run(exe, arguments);
}
