using System.ComponentModel;
using Hark.Audio;
using Hark.Cli.Plots;
using Hark.Features;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class ShowSettings : JsonSettings
{
    [CommandArgument(0, "<clip>")]
    [Description("WAV file to draw.")]
    public string Clip { get; init; } = "";

    [CommandOption("-o|--out <PNG>")]
    [Description("Where to write the PNG. Default: <clip name>.png in the current directory (never beside the input).")]
    public string? Out { get; init; }

    [CommandOption("--preset <NAME>")]
    [Description("Feature front end to show: mfcc10, logmel40, mfcc13 or logmel32-fast.")]
    [DefaultValue("mfcc10")]
    public string Preset { get; init; } = "mfcc10";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Clip)) return ValidationResult.Error("give the WAV file to draw");
        if (!FrontEndConfig.PresetNames.Contains(Preset, StringComparer.OrdinalIgnoreCase))
            return ValidationResult.Error(
                $"unknown --preset '{Preset}' (known: {string.Join(", ", FrontEndConfig.PresetNames)})");
        if (Out is not null && !Out.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            return ValidationResult.Error($"--out '{Out}' must end in .png");
        return ValidationResult.Success();
    }
}

/// <summary>
/// Draws a clip the way the model sees it: waveform, power spectrogram, and the front end's features over the
/// whole clip (padded to at least one model clip, as training pads short clips).
/// </summary>
public sealed class ShowCommand : Command<ShowSettings>
{
    public override int Execute(CommandContext context, ShowSettings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Clip)) throw new InputFileException(settings.Clip, "file not found");
        var clip = WavReader.ReadPipeline(settings.Clip);
        if (clip.Samples.Length == 0) throw new InputFileException(settings.Clip, "the WAV file holds no samples");

        var config = FrontEndConfig.Preset(settings.Preset);
        if (clip.SampleRate != config.SampleRate)
            throw new InputFileException(settings.Clip,
                $"sample rate {clip.SampleRate} Hz, but the {settings.Preset} front end needs {config.SampleRate} Hz");
        var frontEnd = new FrontEnd(config);
        float[] audio = clip.Samples.Length >= config.ClipSamples
            ? clip.Samples
            : [.. clip.Samples, .. new float[config.ClipSamples - clip.Samples.Length]];

        var spectrogram = new float[frontEnd.FrameCount(audio.Length) * frontEnd.SpectrumBins];
        frontEnd.ComputeSpectrogram(audio, spectrogram);
        var features = new float[frontEnd.FrameCount(audio.Length) * frontEnd.FeaturesPerFrame];
        int frames = new FrontEndStream(frontEnd).Push(audio, features);

        string output = Path.GetFullPath(settings.Out ?? Path.GetFileNameWithoutExtension(settings.Clip) + ".png");
        string? folder = Path.GetDirectoryName(output);
        if (folder is not null && !Directory.Exists(folder))
            throw new InputFileException(output, "the output folder does not exist");

        var data = new ClipFigureData(
            Title: $"{Path.GetFileName(settings.Clip)}  ({clip.DurationSeconds:F2} s, {clip.SampleRate} Hz)",
            Samples: clip.Samples,
            SampleRate: clip.SampleRate,
            PowerSpectrogram: spectrogram,
            SpectrumBins: frontEnd.SpectrumBins,
            Features: features,
            FeaturesPerFrame: frontEnd.FeaturesPerFrame,
            StrideSeconds: (double)config.StrideSamples / config.SampleRate,
            FeatureLabel: config.Output == FeatureKind.Mfcc ? "MFCC" : "log-mel bands");
        WriteAtomically(output, path => ClipFigure.SavePng(data, path));

        if (settings.Json)
            Ui.WriteJson(new
            {
                Clip = settings.Clip, Png = output, Preset = settings.Preset.ToLowerInvariant(),
                Seconds = clip.DurationSeconds, Frames = frames, FeaturesPerFrame = frontEnd.FeaturesPerFrame,
                FeatureMin = features.Min(), FeatureMax = features.Max(),
            });
        else
            Console.WriteLine($"wrote {output} ({frames} x {frontEnd.FeaturesPerFrame} {settings.Preset} features)");
        return CliRunner.Ok;
    }

    /// <summary>Renders to a temporary file beside the target and renames it, so a failure never leaves half a PNG.</summary>
    private static void WriteAtomically(string path, Action<string> write)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp.png";
        try
        {
            write(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(path, $"cannot write the PNG ({e.Message})");
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
