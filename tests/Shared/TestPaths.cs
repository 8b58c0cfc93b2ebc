namespace Hark.Tests;

/// <summary>Where tests find the repository, the shared real-speech data and scratch space.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// Real Speech Commands clips beside the repository (never inside it). Absent on users' machines, so tests
    /// that need it call <see cref="RequireSpeechCommandsDev"/> and are skipped with a clear message.
    /// </summary>
    public static string SpeechCommandsDev { get; } =
        Environment.GetEnvironmentVariable("HARK_SPEECH_COMMANDS_DEV")
        ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "speech-commands-dev"));

    public static string RequireSpeechCommandsDev()
    {
        Skip.IfNot(Directory.Exists(SpeechCommandsDev),
            $"real-speech data not found at {SpeechCommandsDev} (set HARK_SPEECH_COMMANDS_DEV to use another copy)");
        return SpeechCommandsDev;
    }

    /// <summary>A fresh empty folder under the system temp directory, unique to this call.</summary>
    public static string NewTempDir(string purpose)
    {
        string dir = Path.Combine(Path.GetTempPath(), "hark-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Hark.slnx"))) return dir.FullName;
        throw new InvalidOperationException("tests must run from inside the Hark repository");
    }
}
