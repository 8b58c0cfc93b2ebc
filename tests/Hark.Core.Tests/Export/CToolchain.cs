using System.Diagnostics;

namespace Hark.Tests.Export;

/// <summary>Finds and runs the C compilers and QEMU the C-runtime tests use; tests skip when a tool is missing.</summary>
internal static class CToolchain
{
    public const string StrictFlags = "-std=c99 -Wall -Wextra -Werror -ffp-contract=off";
    public const string M4Flags = "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard";

    public static string RuntimeDir { get; } = Path.Combine(TestPaths.RepoRoot, "runtime", "c");

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="exe"/>; throws with its output when it fails or outlives <paramref name="timeout"/>.</summary>
    public static string Run(string exe, string arguments, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(exe, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        start.Environment["ASAN_OPTIONS"] = "detect_leaks=0";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {exe}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(exe)} {arguments} did not finish in time");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Path.GetFileName(exe)} {arguments} exited with {process.ExitCode}: {stderr.Result}{stdout.Result}");
        return stdout.Result;
    }
}
