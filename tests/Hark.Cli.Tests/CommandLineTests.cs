namespace Hark.Tests.Cli;

public class CommandLineTests
{
    public static TheoryData<string> Commands => new() { "demo", "synth", "curate", "clips", "show", "train", "quantize", "eval", "export" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_has_help(string command)
    {
        var r = HarkCli.Run(command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"hark {command}", r.Stdout);
        Assert.Contains("OPTIONS:", r.Stdout);
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error_on_one_line()
    {
        var r = HarkCli.Run("frobnicate");
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.StartsWith("hark: error:", r.Stderr);
        Assert.Contains("frobnicate", r.Stderr);
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        var r = HarkCli.Run("curate", "--no-such-option");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-option", r.Stderr);
    }
}
