using System.Reflection;

namespace Hark.Export.C;

/// <summary>
/// The hand-written C runtime (runtime/c in the repository), embedded in this assembly at build time so the exporter
/// and <c>hark verify</c> copy the exact files the repository's C tests exercise. Paths are relative to runtime/c.
/// </summary>
public static class RuntimeSources
{
    private const string Prefix = "hark-runtime/";

    /// <summary>The library a firmware project compiles (besides the generated model and front-end tables).</summary>
    public static readonly IReadOnlyList<string> Library =
        ["hark_kws.h", "hark_kws.c", "hark_nn.h", "hark_nn.c", "hark_frontend.h", "hark_frontend.c"];

    public const string VerifyHarness = "verify/hark_verify.c";
    public const string M4Startup = "platform/mps2-an386/startup.c";
    public const string M4LinkerScript = "platform/mps2-an386/mps2-an386.ld";
    public const string InstructionCounter = "tools/qemu-insn-count/insn_count.c";

    /// <summary>Every embedded file, relative to runtime/c.</summary>
    public static IEnumerable<string> All =>
        typeof(RuntimeSources).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n => n[Prefix.Length..])
            .Order(StringComparer.Ordinal);

    /// <summary>The file's text.</summary>
    /// <exception cref="InvalidOperationException">The tool was built without that file (a build defect).</exception>
    public static string Read(string relativePath)
    {
        using Stream stream = typeof(RuntimeSources).Assembly.GetManifestResourceStream(Prefix + relativePath)
            ?? throw new InvalidOperationException($"runtime/c/{relativePath} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Copies one embedded file to <paramref name="destination"/> (folders created as needed).</summary>
    public static void CopyTo(string relativePath, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        File.WriteAllText(destination, Read(relativePath));
    }
}
