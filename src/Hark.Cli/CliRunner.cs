using Spectre.Console.Cli;

namespace Hark.Cli;

/// <summary>
/// Exit codes: 0 success, 1 the work failed (bad input, failed check), 2 the command line itself was wrong,
/// 130 interrupted. Every failure is one line on standard error; HARK_DEBUG=1 adds the stack trace.
/// </summary>
public static class CliRunner
{
    public const int Ok = 0, Failed = 1, Usage = 2, Interrupted = 130;

    public static int Run(CommandApp app, string[] args)
    {
        try
        {
            return app.Run(args);
        }
        catch (CommandAppException e)
        {
            return Fail(Usage, e.Message, e);
        }
        catch (HarkException e)
        {
            return Fail(Failed, e.Message, e);
        }
        catch (OperationCanceledException e)
        {
            return Fail(Interrupted, "interrupted", e);
        }
        catch (Exception e)
        {
            return Fail(Failed, $"internal error: {e.GetType().Name}: {e.Message}", e);
        }
        finally
        {
            ReportLoadedAssemblies();
        }
    }

    private static int Fail(int code, string message, Exception e)
    {
        string oneLine = message.ReplaceLineEndings(" ").Trim();
        Console.Error.WriteLine($"hark: error: {oneLine}");
        if (Environment.GetEnvironmentVariable("HARK_DEBUG") == "1") Console.Error.WriteLine(e);
        return code;
    }

    /// <summary>
    /// HARK_TRACE_ASSEMBLIES=1 lists the assemblies a command loaded, so tests can prove that commands which do
    /// not train never load the TorchSharp stack.
    /// </summary>
    private static void ReportLoadedAssemblies()
    {
        if (Environment.GetEnvironmentVariable("HARK_TRACE_ASSEMBLIES") != "1") return;
        foreach (var name in AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Order())
            Console.Error.WriteLine($"hark: loaded assembly {name}");
    }
}
