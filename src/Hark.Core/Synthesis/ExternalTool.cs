using System.ComponentModel;
using System.Diagnostics;

namespace Hark.Synthesis;

/// <summary>
/// Runs a command-line synthesizer without a shell and returns what it wrote to standard output. Every failure
/// (missing program, non-zero exit, timeout, empty output) becomes one <see cref="HarkException"/> line.
/// </summary>
internal static class ExternalTool
{
    public static byte[] Run(string program, string debianPackage, IReadOnlyList<string> arguments, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = info };
        try { process.Start(); }
        catch (Win32Exception)
        {
            throw new HarkException($"{program} not found: install it with apt-get install {debianPackage}");
        }
        process.StandardInput.Close();

        // Both pipes are drained concurrently: a full stderr pipe would otherwise block the child forever.
        using var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        var readErr = process.StandardError.ReadToEndAsync(cancellationToken);
        bool exited;
        try { exited = process.WaitForExit((int)timeout.TotalMilliseconds); }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        if (!exited)
            throw new HarkException($"{program} did not finish within {timeout.TotalSeconds:0} s ({Describe(arguments)})");
        process.WaitForExit();
        copyOut.GetAwaiter().GetResult();
        string errors = readErr.GetAwaiter().GetResult().Trim();
        if (process.ExitCode != 0)
            throw new HarkException($"{program} failed with exit code {process.ExitCode} ({Describe(arguments)})"
                + (errors.Length > 0 ? $": {errors}" : ""));
        if (stdout.Length == 0)
            throw new HarkException($"{program} produced no audio ({Describe(arguments)})" + (errors.Length > 0 ? $": {errors}" : ""));
        return stdout.ToArray();
    }

    /// <summary>Standard output of a quick query such as a voice listing, as text.</summary>
    public static string Query(string program, string debianPackage, params string[] arguments) =>
        System.Text.Encoding.UTF8.GetString(Run(program, debianPackage, arguments, TimeSpan.FromSeconds(20)));

    private static string Describe(IReadOnlyList<string> arguments) => string.Join(' ', arguments);
}
