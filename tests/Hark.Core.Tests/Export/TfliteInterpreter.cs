using System.Diagnostics;

namespace Hark.Tests.Export;

/// <summary>
/// The real TFLite interpreter (tfjs-tflite's WASM build of TensorFlow Lite) run by tools/tflite-node/run.js under
/// Node. Installs its npm packages on first use with scripts/ensure-npm; tests skip when Node or npm is missing.
/// </summary>
internal static class TfliteInterpreter
{
    private static readonly string ToolDir = Path.Combine(TestPaths.RepoRoot, "tools", "tflite-node");
    private static readonly Lazy<string?> Unavailable = new(Prepare);

    /// <summary>Skips the test when the interpreter cannot be set up here.</summary>
    public static void Require()
    {
        string? reason = Unavailable.Value;
        Skip.If(reason is not null, reason);
    }

    private static string? Prepare()
    {
        if (Run("node", ["--version"], TestPaths.RepoRoot).ExitCode != 0) return "node is not installed";
        if (Directory.Exists(Path.Combine(ToolDir, "node_modules", "@tensorflow", "tfjs-tflite"))) return null;
        var install = Run(Path.Combine(TestPaths.RepoRoot, "scripts", "ensure-npm"), [], TestPaths.RepoRoot);
        return install.ExitCode == 0 ? null : $"scripts/ensure-npm failed: {install.StdErr.Trim()}";
    }

    /// <summary>Runs every input (raw input-tensor bytes, back to back) through the model; the raw outputs back to back.</summary>
    /// <exception cref="InvalidOperationException">The interpreter refused the model or failed; the message is its error.</exception>
    public static sbyte[] Run(byte[] model, sbyte[] inputs)
    {
        string dir = TestPaths.NewTempDir("tflite-run");
        string modelPath = Path.Combine(dir, "model.tflite"), inPath = Path.Combine(dir, "in.bin"), outPath = Path.Combine(dir, "out.bin");
        File.WriteAllBytes(modelPath, model);
        File.WriteAllBytes(inPath, (byte[])(Array)inputs);
        var result = Run("node", [Path.Combine(ToolDir, "run.js"), modelPath, inPath, outPath], ToolDir);
        if (result.ExitCode != 0) throw new InvalidOperationException(result.StdErr.Trim());
        return (sbyte[])(Array)File.ReadAllBytes(outPath);
    }

    private static (int ExitCode, string StdErr) Run(string program, string[] arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
            return (process.ExitCode, stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
