namespace Hark.Tests.Cli;

public class LightCommandsTests
{
    [Fact]
    public void Commands_that_do_not_train_never_load_TorchSharp()
    {
        string missing = Path.Combine(TestPaths.NewTempDir("light"), "absent");
        var r = HarkCli.Run(["curate", "--data", missing, "--keywords", "yes", "--per-class", "10", "--out",
                             Path.Combine(TestPaths.NewTempDir("light-out"), "o")],
                            environment: new Dictionary<string, string> { ["HARK_TRACE_ASSEMBLIES"] = "1" });

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("hark: loaded assembly Hark.Core", r.Stderr);
        Assert.DoesNotContain("TorchSharp", r.Stderr);
        Assert.DoesNotContain("Hark.Training", r.Stderr);
    }
}
