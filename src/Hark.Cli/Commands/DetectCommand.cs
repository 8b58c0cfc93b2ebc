using System.ComponentModel;
using Hark.Audio;
using Hark.Engine;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class DetectSettings : StreamingSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("A WAV recording of any length, format and rate (resampled to the model's rate).")]
    public string File { get; init; } = "";
}

/// <summary>
/// <c>hark detect</c>: keyword events in a recording, from the same streaming detector the C library runs
/// (identical events on the device for the same audio).
/// </summary>
public sealed class DetectCommand : Command<DetectSettings>
{
    public override int Execute(CommandContext context, DetectSettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        var detector = settings.Detector(package);
        var audio = WavReader.ReadPipeline(settings.File);
        if (audio.SampleRate != package.FrontEnd.SampleRate)
            throw new InputFileException(settings.File, $"is {audio.SampleRate} Hz after loading; the model needs {package.FrontEnd.SampleRate} Hz");
        using var engine = package.CreateEngine();
        var stream = new KeywordStream(engine, detector);
        var events = new List<DetectionEvent>();
        stream.Push(audio.Samples, events);
        int rate = package.FrontEnd.SampleRate;
        if (settings.Json)
        {
            Ui.WriteJson(events.Select(e => new { label = e.Name, time_s = e.TimeSeconds(rate), score = e.Probability, sample = e.Sample }));
            return CliRunner.Ok;
        }
        var table = new Table().AddColumns("time s", "keyword", "score");
        foreach (var e in events) table.AddRow($"{e.TimeSeconds(rate):0.00}", Markup.Escape(e.Name), $"{e.Probability:0.00}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{events.Count} detections in {audio.DurationSeconds:0.0} s ({stream.Inferences} inferences; " +
                               $"{Markup.Escape(StreamingSettings.Describe(detector, package))}). Times are the end of the detecting window.");
        return CliRunner.Ok;
    }
}
