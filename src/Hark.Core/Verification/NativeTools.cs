using System.Diagnostics;

namespace Hark.Verification;

/// <summary>
/// The native tools verification and the resource report use: gcc (host), arm-none-eabi-gcc and qemu-system-arm
/// (the emulated Cortex-M4). Finding them on PATH and running them with a time limit; failures become one-line
/// <see cref="HarkException"/>s that say which tool and why.
/// </summary>
public static class NativeTools
{
    public const string HostCompiler = "gcc";
    public const string ArmCompiler = "arm-none-eabi-gcc";
    public const string Qemu = "qemu-system-arm";

    /// <summary>Debian packages that provide each tool (for the error that says what to install).</summary>
    private static readonly Dictionary<string, string> Packages = new()
    {
        [HostCompiler] = "gcc",
        [ArmCompiler] = "gcc-arm-none-eabi libnewlib-arm-none-eabi",
        [Qemu] = "qemu-system-arm",
    };

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    /// <exception cref="HarkException">The tool is not installed; the message names the Debian package.</exception>
    public static string Require(string name) =>
        Find(name) ?? throw new HarkException(
            $"{name} not found on PATH (on Debian: apt-get install --no-install-recommends {Packages.GetValueOrDefault(name, name)})");

    /// <summary>Runs a tool and returns its standard output.</summary>
    /// <exception cref="HarkException">It could not start, failed or outlived <paramref name="timeout"/>; the message
    /// holds the tool, its exit code and the first lines it printed.</exception>
    public static string Run(string exe, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(exe);
        foreach (string a in arguments) start.ArgumentList.Add(a);
        return Run(start, workingDirectory, timeout);
    }

    /// <summary>Like <see cref="Run(string, IEnumerable{string}, string?, TimeSpan?)"/> with one command-line string
    /// (quoted as a shell would not: only spaces separate, double quotes group).</summary>
    public static string RunCommandLine(string exe, string arguments, string? workingDirectory = null, TimeSpan? timeout = null) =>
        Run(new ProcessStartInfo(exe, arguments), workingDirectory, timeout);

    private static string Run(ProcessStartInfo start, string? workingDirectory, TimeSpan? timeout)
    {
        string exe = start.FileName;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory;
        // LeakSanitizer needs ptrace, which containers often forbid; address and UB checks still run.
        start.Environment["ASAN_OPTIONS"] = "detect_leaks=0";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new HarkException($"{exe}: could not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HarkException($"{exe}: could not start ({e.Message})");
        }
        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
            {
                process.Kill(entireProcessTree: true);
                throw new HarkException($"{Path.GetFileName(exe)} did not finish within {(timeout ?? TimeSpan.FromMinutes(10)).TotalSeconds:F0} s");
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string said = string.Join(" | ", (stderr.Result + stdout.Result).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(4));
                throw new HarkException($"{Path.GetFileName(exe)} failed with exit code {process.ExitCode}: {said}");
            }
            return stdout.Result;
        }
    }
}
