using Hark.Synthesis;

namespace Hark.Tests.Synthesis;

public class ExternalToolTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_missing_program_says_how_to_install_it()
    {
        var error = Assert.Throws<HarkException>(() => ExternalTool.Run("hark-no-such-synth", "hark-synth-pkg", ["x"], Quick));
        Assert.Equal("hark-no-such-synth not found: install it with apt-get install hark-synth-pkg", error.Message);
    }

    [Fact]
    public void A_failing_program_reports_its_exit_code_and_message()
    {
        var error = Assert.Throws<HarkException>(() => ExternalTool.Run("sh", "dash", ["-c", "echo voice not found >&2; exit 3"], Quick));
        Assert.Contains("exit code 3", error.Message);
        Assert.Contains("voice not found", error.Message);
    }

    [Fact]
    public void A_hung_program_is_stopped_at_the_timeout()
    {
        var error = Assert.Throws<HarkException>(() => ExternalTool.Run("sleep", "coreutils", ["20"], TimeSpan.FromMilliseconds(300)));
        Assert.Contains("did not finish", error.Message);
    }

    [Fact]
    public void Standard_output_bytes_come_back_unchanged()
    {
        byte[] output = ExternalTool.Run("printf", "coreutils", ["RIFF\\000\\377"], Quick);
        Assert.Equal([(byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 255], output);
    }
}
