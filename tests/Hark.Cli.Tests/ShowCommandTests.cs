using Hark.Audio;
using Hark.Cli;
using Hark.Cli.Commands;
using Spectre.Console.Cli;

namespace Hark.Tests.Cli;

/// <summary>Changing the working directory is process-wide, so this collection never runs beside another.</summary>
[CollectionDefinition(nameof(WorkingDirectoryCollection), DisableParallelization = true)]
public sealed class WorkingDirectoryCollection;

[Collection(nameof(WorkingDirectoryCollection))]
public class ShowCommandTests
{
    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.UseStrictParsing();
            config.PropagateExceptions();
            config.AddCommand<ShowCommand>("show");
        });
        return CliRunner.Run(app, ["show", .. args]);
    }

    private static string WriteTone(string folder, string name, int samples)
    {
        string path = Path.Combine(folder, name);
        var tone = Enumerable.Range(0, samples).Select(i => 0.3f * MathF.Sin(2 * MathF.PI * 800 * i / 16000f)).ToArray();
        WavWriter.WritePcm16(path, tone, 16000);
        return path;
    }

    [Theory]
    [InlineData("mfcc10", 16000)]
    [InlineData("logmel40", 6000)]    // shorter than a clip: padded like training pads
    public void WritesAPngAndLeavesTheInputFolderAlone(string preset, int samples)
    {
        string input = TestPaths.NewTempDir("show-in"), output = TestPaths.NewTempDir("show-out");
        string wav = WriteTone(input, "tone.wav", samples);
        byte[] before = File.ReadAllBytes(wav);
        string png = Path.Combine(output, "figure.png");

        Assert.Equal(CliRunner.Ok, Run(wav, "--out", png, "--preset", preset));

        byte[] header = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, header);
        Assert.True(new FileInfo(png).Length > 20_000, "a three-panel figure is tens of kB");
        Assert.Equal(["tone.wav"], Directory.GetFiles(input).Select(Path.GetFileName));
        Assert.Equal(["figure.png"], Directory.GetFiles(output).Select(Path.GetFileName));
        Assert.Equal(before, File.ReadAllBytes(wav));
    }

    [Fact]
    public void DefaultOutput_IsClipStemInTheCurrentDirectory()
    {
        string input = TestPaths.NewTempDir("show-in"), work = TestPaths.NewTempDir("show-cwd");
        string wav = WriteTone(input, "hello.wav", 16000);
        string previous = Directory.GetCurrentDirectory();
        try
        {
            Directory.SetCurrentDirectory(work);
            Assert.Equal(CliRunner.Ok, Run(wav));
        }
        finally { Directory.SetCurrentDirectory(previous); }
        Assert.True(File.Exists(Path.Combine(work, "hello.png")));
        Assert.Equal(["hello.wav"], Directory.GetFiles(input).Select(Path.GetFileName));
    }

    [Fact]
    public void BadInput_FailsWithExitCodeOneAndWritesNothing()
    {
        string folder = TestPaths.NewTempDir("show-bad");
        string bad = Path.Combine(folder, "bad.wav");
        File.WriteAllText(bad, "not a wav");
        string png = Path.Combine(folder, "out.png");
        Assert.Equal(CliRunner.Failed, Run(bad, "--out", png));
        Assert.Equal(CliRunner.Failed, Run(Path.Combine(folder, "missing.wav"), "--out", png));
        Assert.False(File.Exists(png));
    }

    [Theory]
    [InlineData("--preset", "mfcc99")]
    [InlineData("--out", "figure.jpg")]
    public void BadOptions_AreUsageErrors(string option, string value)
    {
        string wav = WriteTone(TestPaths.NewTempDir("show-usage"), "tone.wav", 16000);
        Assert.Equal(CliRunner.Usage, Run(wav, option, value));
    }
}
