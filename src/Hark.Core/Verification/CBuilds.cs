using System.Globalization;
using System.Text.RegularExpressions;
using Hark.Export.C;

namespace Hark.Verification;

/// <summary>Where a generated library is built and run.</summary>
public enum CTarget
{
    /// <summary>This machine, with gcc.</summary>
    Host,
    /// <summary>arm-none-eabi-gcc for a Cortex-M4F, run under QEMU's mps2-an386 board with semihosting.</summary>
    CortexM4,
}

/// <summary>
/// Builds the programs that check and measure an exported library: the verification harness
/// (runtime/c/verify/hark_verify.c) for the host or the emulated Cortex-M4, the size probe, and the QEMU
/// instruction-counting plugin. Every build uses the strict flags a firmware project may use
/// (<see cref="StrictFlags"/>), so a library that verifies also compiles warning-free there.
/// </summary>
public static class CBuilds
{
    public const string StrictFlags = "-std=c99 -Wall -Wextra -Werror";
    public const string M4Flags = "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard";
    public const string Optimization = "-O2";
    public const string Sanitizers = "-fsanitize=address,undefined -fno-sanitize-recover=all";

    /// <summary>The QEMU command line for an ELF built by <see cref="BuildM4Harness"/>.</summary>
    public static IEnumerable<string> QemuArguments(string elf) => ["-M", "mps2-an386", "-nographic", "-semihosting", "-kernel", elf];

    private static IEnumerable<string> Split(string flags) => flags.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The harness for this machine; <paramref name="sanitize"/> adds AddressSanitizer and UBSan.</summary>
    public static string BuildHostHarness(string librarySource, string workDir, bool sanitize = false)
    {
        string harness = Path.Combine(workDir, "hark_verify.c");
        RuntimeSources.CopyTo(RuntimeSources.VerifyHarness, harness);
        string exe = Path.Combine(workDir, sanitize ? "hark_verify_sanitized" : "hark_verify");
        var args = Split(StrictFlags).Concat(Split(sanitize ? "-O1 -g " + Sanitizers : Optimization))
            .Append("-I" + librarySource)
            .Concat(CLibraryWriter.CompilationUnits(librarySource)).Append(harness).Concat(["-o", exe]);
        NativeTools.Run(NativeTools.Require(NativeTools.HostCompiler), args, workDir);
        return exe;
    }

    /// <summary>The harness for QEMU's Cortex-M4F board (semihosting file I/O).</summary>
    public static string BuildM4Harness(string librarySource, string workDir)
    {
        string harness = Path.Combine(workDir, "hark_verify.c");
        RuntimeSources.CopyTo(RuntimeSources.VerifyHarness, harness);
        var (startup, script) = Platform(workDir);
        string elf = Path.Combine(workDir, "hark_verify.elf");
        var args = Split(StrictFlags).Concat(Split(M4Flags)).Concat(Split(Optimization))
            .Concat(["-DHARK_VERIFY_SEMIHOSTING", "-I" + librarySource])
            .Concat(CLibraryWriter.CompilationUnits(librarySource)).Concat([harness, startup])
            .Concat(["-T", script, "-nostartfiles", "--specs=rdimon.specs", "-Wl,--gc-sections", "-lc", "-lrdimon", "-o", elf]);
        NativeTools.Run(NativeTools.Require(NativeTools.ArmCompiler), args, workDir);
        return elf;
    }

    /// <summary>Runs the M4 harness on <paramref name="job"/> in QEMU; returns the output bytes.</summary>
    public static byte[] RunM4(string elf, string job, string workDir, TimeSpan timeout, IEnumerable<string>? pluginArguments = null)
    {
        File.WriteAllText(Path.Combine(workDir, "verify_job.txt"), job);
        string output = Path.Combine(workDir, "verify_out.bin");
        File.Delete(output);
        NativeTools.Run(NativeTools.Require(NativeTools.Qemu), QemuArguments(elf).Concat(pluginArguments ?? []), workDir, timeout);
        return File.ReadAllBytes(output);
    }

    /// <summary>Runs the host harness on <paramref name="job"/>; returns the output bytes.</summary>
    public static byte[] RunHost(string exe, string job, string workDir, TimeSpan timeout)
    {
        string jobPath = Path.Combine(workDir, "verify_job.txt"), output = Path.Combine(workDir, "verify_out.bin");
        File.WriteAllText(jobPath, job);
        NativeTools.Run(exe, [jobPath, output], workDir, timeout);
        return File.ReadAllBytes(output);
    }

    /// <summary>The QEMU plugin that counts instructions (runtime/c/tools/qemu-insn-count), built with gcc.</summary>
    public static string BuildInstructionCounter(string workDir)
    {
        string source = Path.Combine(workDir, "insn_count.c"), library = Path.Combine(workDir, "libinsn_count.so");
        RuntimeSources.CopyTo(RuntimeSources.InstructionCounter, source);
        NativeTools.Run(NativeTools.Require(NativeTools.HostCompiler),
            Split(StrictFlags).Concat(["-O2", "-shared", "-fPIC", source, "-o", library]), workDir);
        return library;
    }

    /// <summary>
    /// Flash and static RAM the library costs a Cortex-M4 firmware: links runtime/c/verify/size_probe.c (every API
    /// entry, no stdio) with --gc-sections and sums the linker map's input sections that come from the library's
    /// objects and from the C and compiler support libraries they pull in. The probe's own main and start-up code are
    /// left out; its <c>hark_kws</c> instance is the caller's RAM and is reported separately.
    /// </summary>
    public static Footprint MeasureFootprint(string librarySource, string workDir)
    {
        string gcc = NativeTools.Require(NativeTools.ArmCompiler);
        string probe = Path.Combine(workDir, "size_probe.c");
        RuntimeSources.CopyTo("verify/size_probe.c", probe);
        var (startup, script) = Platform(workDir);
        var objects = new List<string>();
        foreach (string unit in CLibraryWriter.CompilationUnits(librarySource).Append(probe).Append(startup))
        {
            string obj = Path.Combine(workDir, Path.GetFileNameWithoutExtension(unit) + ".o");
            NativeTools.Run(gcc, Split(StrictFlags).Concat(Split(M4Flags)).Concat(Split(Optimization))
                .Concat(["-ffunction-sections", "-fdata-sections", "-I" + librarySource, "-c", unit, "-o", obj]), workDir);
            objects.Add(obj);
        }
        string elf = Path.Combine(workDir, "size_probe.elf"), map = Path.Combine(workDir, "size_probe.map");
        NativeTools.Run(gcc, Split(M4Flags).Concat(objects)
            .Concat(["-T", script, "-nostartfiles", "--specs=rdimon.specs", "-Wl,--gc-sections", "-Wl,-Map=" + map,
                     "-lc", "-lrdimon", "-o", elf]), workDir);
        var library = CLibraryWriter.CompilationUnits(librarySource)
            .Select(u => Path.GetFileNameWithoutExtension(u) + ".o").ToHashSet(StringComparer.Ordinal);
        return Footprint.FromMap(File.ReadAllText(map), library, stateSymbol: "g_kws", probeObject: "size_probe.o");
    }

    private static (string Startup, string Script) Platform(string workDir)
    {
        string startup = Path.Combine(workDir, "startup.c"), script = Path.Combine(workDir, "mps2-an386.ld");
        RuntimeSources.CopyTo(RuntimeSources.M4Startup, startup);
        RuntimeSources.CopyTo(RuntimeSources.M4LinkerScript, script);
        return (startup, script);
    }
}

/// <summary>What the library occupies on the Cortex-M4, from a linker map (bytes).</summary>
/// <param name="Code">Machine code (.text) of the library and the support routines it calls.</param>
/// <param name="ConstData">Read-only data (.rodata): weights, tables, labels.</param>
/// <param name="InitData">Initialised RAM (.data): in flash and copied to RAM at start-up.</param>
/// <param name="ZeroData">Zeroed RAM (.bss): the arena and the kernels' scratch.</param>
/// <param name="StateBytes">One <c>hark_kws</c> (the caller declares it): front-end state, feature ring, detector.</param>
/// <param name="Sections">Bytes per library object file and section kind, for the detailed report.</param>
public sealed record Footprint(int Code, int ConstData, int InitData, int ZeroData, int StateBytes,
    IReadOnlyDictionary<string, int> Sections)
{
    public int FlashBytes => Code + ConstData + InitData;

    /// <summary>Static RAM: the library's data and bss plus one caller-owned <c>hark_kws</c> (stack not included).</summary>
    public int StaticRamBytes => InitData + ZeroData + StateBytes;

    // " .text.hark_kws_push" may stand alone with the addresses on the next line, or share a line with them.
    private static readonly Regex SectionLine = new(@"^ (?<name>\.[^\s]+|COMMON)(?:\s+0x(?<addr>[0-9a-f]+)\s+0x(?<size>[0-9a-f]+)\s+(?<file>\S+))?\s*$");
    private static readonly Regex AddressLine = new(@"^\s+0x(?<addr>[0-9a-f]+)\s+0x(?<size>[0-9a-f]+)\s+(?<file>\S+)\s*$");

    /// <summary>
    /// Sums the map's input sections from <paramref name="libraryObjects"/> and from libc/libgcc members (memcpy,
    /// memset, helpers the compiler calls). <paramref name="stateSymbol"/> in <paramref name="probeObject"/> is the
    /// caller's <c>hark_kws</c>.
    /// </summary>
    public static Footprint FromMap(string map, IReadOnlySet<string> libraryObjects, string stateSymbol, string probeObject)
    {
        int start = map.IndexOf("Linker script and memory map", StringComparison.Ordinal);
        if (start < 0) throw new HarkException("linker map has no memory map section");
        int code = 0, rodata = 0, data = 0, bss = 0, state = 0;
        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
        string? pending = null;
        foreach (string line in map[start..].Split('\n'))
        {
            string name, file;
            int size;
            var m = SectionLine.Match(line.TrimEnd('\r'));
            if (m.Success && !m.Groups["size"].Success)
            {
                pending = m.Groups["name"].Value;
                continue;
            }
            if (m.Success)
            {
                name = m.Groups["name"].Value;
                (size, file) = (int.Parse(m.Groups["size"].Value, NumberStyles.HexNumber), m.Groups["file"].Value);
            }
            else if (pending is not null && AddressLine.Match(line.TrimEnd('\r')) is { Success: true } a)
            {
                name = pending;
                (size, file) = (int.Parse(a.Groups["size"].Value, NumberStyles.HexNumber), a.Groups["file"].Value);
            }
            else
            {
                pending = null;
                continue;
            }
            pending = null;
            if (size == 0) continue;
            string objectName = ObjectName(file);
            if (objectName == probeObject)
            {
                if (name == ".bss." + stateSymbol) state = size;
                continue;
            }
            bool support = file.Contains("libc.a(", StringComparison.Ordinal) && IsMemoryRoutine(objectName)
                           || file.Contains("libgcc.a(", StringComparison.Ordinal);
            if (!libraryObjects.Contains(objectName) && !support) continue;
            string kind = name.StartsWith(".text", StringComparison.Ordinal) ? "code"
                : name.StartsWith(".rodata", StringComparison.Ordinal) ? "rodata"
                : name.StartsWith(".data", StringComparison.Ordinal) ? "data"
                : name.StartsWith(".bss", StringComparison.Ordinal) || name == "COMMON" ? "bss" : "";
            switch (kind)
            {
                case "code": code += size; break;
                case "rodata": rodata += size; break;
                case "data": data += size; break;
                case "bss": bss += size; break;
                default: continue;
            }
            string key = $"{(support ? "libc/libgcc" : objectName)} {kind}";
            sections[key] = sections.GetValueOrDefault(key) + size;
        }
        if (state == 0) throw new HarkException($"linker map: {stateSymbol} not found in {probeObject}");
        return new Footprint(code, rodata, data, bss, state, sections);
    }

    /// <summary>"/x/y/hark_nn.o" → "hark_nn.o"; "/usr/lib/.../libc.a(libc_a-memcpy.o)" → "libc_a-memcpy.o".</summary>
    private static string ObjectName(string file)
    {
        int open = file.LastIndexOf('(');
        return open >= 0 && file.EndsWith(')') ? file[(open + 1)..^1] : Path.GetFileName(file);
    }

    private static bool IsMemoryRoutine(string member) =>
        member.Contains("memcpy", StringComparison.Ordinal) || member.Contains("memset", StringComparison.Ordinal)
        || member.Contains("memmove", StringComparison.Ordinal);
}
