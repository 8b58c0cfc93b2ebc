namespace Hark.Tests.Cli;

public class CommandLineTests
{
    private static readonly string[] Pipeline =
    [
        "demo", "synth", "curate", "clips", "show", "train", "quantize", "eval", "export", "verify", "detect", "listen",
        "stream-bench", "stream-eval", "calibrate",
    ];

    public static TheoryData<string> Commands => new(Pipeline);

    /// <summary>The root help lists every command, in pipeline order.</summary>
    [Fact]
    public void Root_help_lists_the_pipeline_in_order()
    {
        var r = HarkCli.Run("--help");
        Assert.Equal(0, r.ExitCode);
        var positions = Pipeline.Select(c => r.Stdout.IndexOf($"    {c} ", StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
    }

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
