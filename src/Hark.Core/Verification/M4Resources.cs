using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using Hark.Engine;
using Hark.Export.C;

namespace Hark.Verification;

/// <summary>
/// The Cortex-M4 figures of one exported library, all measured: flash and static RAM from a real arm-none-eabi-gcc
/// -O2 build (<see cref="CBuilds.MeasureFootprint"/>), the stack high-water mark of the library's calls (painted
/// stack), and instructions counted by the QEMU plugin between marker calls: per front-end hop (one stride of
/// samples through <c>hark_kws_push</c>, no inference), per network inference (<c>hark_model_invoke</c>), and per
/// hop that also runs the network and the detector. Instruction counts are not cycles; the times are estimates.
/// </summary>
public sealed record M4Report(
    Footprint Footprint, int StackBytes, long InstructionsPerHop, long InstructionsPerInference,
    long InstructionsPerInferenceHop, int HopsPerSecond, double InferencesPerSecond)
{
    public const double ClockHz = 80e6;

    public int FlashBytes => Footprint.FlashBytes;
    public int RamBytes => Footprint.StaticRamBytes + StackBytes;

    /// <summary>Milliseconds at 80 MHz if every instruction took one cycle (an estimate: loads, multiplies and flash
    /// wait states take more on a real chip).</summary>
    public static double EstimatedMs(long instructions) => instructions / ClockHz * 1000;

    /// <summary>Instructions per second of audio: every hop, and the network as often as the detector runs it.</summary>
    public double InstructionsPerAudioSecond =>
        HopsPerSecond * (double)InstructionsPerHop + InferencesPerSecond * (InstructionsPerInferenceHop - InstructionsPerHop);

    /// <summary>Share of an 80 MHz core the library needs in real time (same estimate).</summary>
    public double EstimatedLoadAt80MHz => InstructionsPerAudioSecond / ClockHz;

    public const int BenchHops = 100;

    /// <summary>Builds, links and runs the library for the M4 in <paramref name="workDir"/>; <paramref name="audio"/>
    /// (at least one window of the model's samples) is what the hops and inferences run on.</summary>
    public static M4Report Measure(ModelPackage package, short[] audio, string workDir)
    {
        Directory.CreateDirectory(workDir);
        string source = Path.Combine(workDir, "lib");
        CLibraryWriter.WriteSources(package, source);
        var footprint = CBuilds.MeasureFootprint(source, workDir);
        string elf = CBuilds.BuildM4Harness(source, workDir);
        string plugin = CBuilds.BuildInstructionCounter(workDir);
        var symbols = Symbols(elf, workDir);
        string Mark(string region) => $"mark=0x{symbols[$"hark_verify_{region}_begin"]:x}:0x{symbols[$"hark_verify_{region}_end"]:x}";
        string wav = Path.Combine(workDir, "bench.wav");
        LibraryVerifier.WriteWav(wav, audio, package.FrontEnd.SampleRate);
        string log = Path.Combine(workDir, "insn.log");
        byte[] output = CBuilds.RunM4(elf, $"bench {BenchHops} {wav}\n", workDir, TimeSpan.FromMinutes(10),
            ["-plugin", $"{plugin},{Mark("hop")},{Mark("inference")},{Mark("detect")}", "-d", "plugin", "-D", log]);
        int status = BinaryPrimitives.ReadInt32LittleEndian(output);
        if (status < 0) throw new HarkException($"Cortex-M4 benchmark failed with status {status}");
        int stack = BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(4));
        var marks = Marks(File.ReadAllText(log));
        long PerCall(string region)
        {
            var (calls, instructions) = marks[symbols[$"hark_verify_{region}_begin"]];
            return calls == 0 ? throw new HarkException($"Cortex-M4 benchmark: no {region} was measured") : instructions / calls;
        }
        var config = package.FrontEnd;
        int hopsPerSecond = config.SampleRate / config.StrideSamples;
        return new M4Report(footprint, stack, PerCall("hop"), PerCall("inference"), PerCall("detect"),
            hopsPerSecond, (double)hopsPerSecond / package.Detector.InferEvery);
    }

    /// <summary>Function addresses from arm-none-eabi-nm, without the Thumb bit (what the plugin sees as the PC).</summary>
    private static Dictionary<string, long> Symbols(string elf, string workDir)
    {
        string nm = Path.Combine(Path.GetDirectoryName(NativeTools.Require(NativeTools.ArmCompiler))!, "arm-none-eabi-nm");
        var symbols = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in NativeTools.Run(nm, [elf], workDir).Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[1] is "T" or "t")
                symbols[parts[2]] = long.Parse(parts[0], NumberStyles.HexNumber) & ~1L;
        }
        return symbols;
    }

    private static readonly Regex MarkLine = new(@"^mark 0x(?<begin>[0-9a-f]+):0x[0-9a-f]+: (?<calls>\d+) calls, (?<insns>\d+) insns", RegexOptions.Multiline);

    private static Dictionary<long, (long Calls, long Instructions)> Marks(string log) =>
        MarkLine.Matches(log).ToDictionary(
            m => long.Parse(m.Groups["begin"].Value, NumberStyles.HexNumber),
            m => (long.Parse(m.Groups["calls"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["insns"].Value, CultureInfo.InvariantCulture)));
}
