using Hark.Verification;

namespace Hark.Tests.Export;

/// <summary>Finds and runs the C compilers and QEMU the C-runtime tests use; tests skip when a tool is missing.</summary>
internal static class CToolchain
{
    public const string StrictFlags = "-std=c99 -Wall -Wextra -Werror -ffp-contract=off";
    public const string M4Flags = CBuilds.M4Flags;

    public static string RuntimeDir { get; } = Path.Combine(TestPaths.RepoRoot, "runtime", "c");

    public static string? Find(string name) => NativeTools.Find(name);

    /// <summary>Runs <paramref name="exe"/>; throws with its output when it fails or outlives <paramref name="timeout"/>.</summary>
    public static string Run(string exe, string arguments, string? workingDirectory = null, TimeSpan? timeout = null) =>
        NativeTools.RunCommandLine(exe, arguments, workingDirectory, timeout ?? TimeSpan.FromMinutes(5));
}
