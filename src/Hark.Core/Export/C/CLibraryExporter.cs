using System.Text.Json;
using Hark.Engine;
using Hark.Features;
using Hark.Verification;

namespace Hark.Export.C;

/// <summary>The outcome of <see cref="CLibraryExporter.Export"/>.</summary>
/// <param name="Directory">The library folder.</param>
/// <param name="M4">Measured Cortex-M4 figures, or null when the toolchain is missing (see <paramref name="NotMeasured"/>).</param>
public sealed record CLibraryExport(string Directory, M4Report? M4, string? NotMeasured, string ArduinoZip);

/// <summary>
/// Writes the library layout of <see cref="CLibraryWriter"/>, measures it on the Cortex-M4 when arm-none-eabi-gcc
/// and qemu-system-arm are installed, writes README.md with the figures, and only then moves the finished folder into
/// place, so an interrupted or failed export never leaves a half library, and a previous export is replaced whole.
/// </summary>
public static class CLibraryExporter
{
    private const string Marker = "src/" + ModelSourceWriter.HeaderFileName;

    public static CLibraryExport Export(ModelPackage package, string directory, bool force, bool measure = true)
    {
        directory = Path.GetFullPath(directory);
        if (File.Exists(directory)) throw new InputFileException(directory, "is a file; --out must be a folder for --format c");
        bool replace = Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any();
        if (replace && !force && !File.Exists(Path.Combine(directory, Marker)))
            throw new InputFileException(directory, "exists and is not a Hark C library; choose another --out or pass --force");
        string parent = Path.GetDirectoryName(directory)!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(directory)}.hark-tmp-{Guid.NewGuid():N}");
        string scratch = Path.Combine(Path.GetTempPath(), $"hark-export-{Guid.NewGuid():N}");
        try
        {
            M4Report? m4 = null;
            string? why = measure ? MissingTools() : "not requested";
            if (why is null)
                m4 = M4Report.Measure(package, BenchmarkAudio(package.FrontEnd), scratch);
            CLibraryWriter.WriteLayout(package, staging, LibraryReadme.Text(package, m4, why));
            if (m4 is not null)
                File.WriteAllText(Path.Combine(staging, "resources.json"), JsonSerializer.Serialize(ResourcesJson(m4), JsonOptions));
            if (replace) Directory.Delete(directory, recursive: true);
            Directory.Move(staging, directory);
            string zip = Directory.GetFiles(Path.Combine(directory, "arduino"), "*.zip").Single();
            return new CLibraryExport(directory, m4, why, zip);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Why the Cortex-M4 cannot be measured here, or null when it can.</summary>
    public static string? MissingTools()
    {
        var missing = new[] { NativeTools.HostCompiler, NativeTools.ArmCompiler, NativeTools.Qemu }.Where(t => NativeTools.Find(t) is null).ToList();
        return missing.Count == 0 ? null : $"{string.Join(" and ", missing)} not installed (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm)";
    }

    /// <summary>Two seconds of a chirp in noise: the front end's and the network's instruction counts barely depend on the values.</summary>
    public static short[] BenchmarkAudio(FrontEndConfig config)
    {
        int n = 2 * config.SampleRate;
        var samples = new short[n];
        uint state = 0x9E3779B9u;
        for (int i = 0; i < n; i++)
        {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5;
            double t = (double)i / config.SampleRate;
            double chirp = Math.Sin(2 * Math.PI * (200 + 900 * t) * t);
            samples[i] = (short)Math.Round(8000 * chirp + ((int)(state % 2001) - 1000));
        }
        return samples;
    }

    public static object ResourcesJson(M4Report m4) => new
    {
        target = "cortex-m4f (arm-none-eabi-gcc -O2, qemu mps2-an386)",
        flash_bytes = m4.FlashBytes,
        ram_bytes = m4.RamBytes,
        code_bytes = m4.Footprint.Code,
        rodata_bytes = m4.Footprint.ConstData,
        data_bytes = m4.Footprint.InitData,
        bss_bytes = m4.Footprint.ZeroData,
        state_bytes = m4.Footprint.StateBytes,
        stack_bytes = m4.StackBytes,
        instructions_per_hop = m4.InstructionsPerHop,
        instructions_per_inference = m4.InstructionsPerInference,
        instructions_per_inference_hop = m4.InstructionsPerInferenceHop,
        instructions_per_audio_second = (long)m4.InstructionsPerAudioSecond,
        estimated_ms_per_inference_at_80mhz = M4Report.EstimatedMs(m4.InstructionsPerInference),
        estimated_ms_per_hop_at_80mhz = M4Report.EstimatedMs(m4.InstructionsPerHop),
        estimated_load_at_80mhz = m4.EstimatedLoadAt80MHz,
        note = "instruction counts, not cycles; times assume one cycle per instruction (estimates)",
        sections = m4.Footprint.Sections,
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}
