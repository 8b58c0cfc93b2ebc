using System.ComponentModel;
using System.Globalization;
using Hark.Engine;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

/// <summary>
/// The model and the detector settings of the commands that stream audio (detect, listen). Without overrides the
/// package's settings apply: exactly what the exported C library does.
/// </summary>
public class StreamingSettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder (its model.hark) or a model.hark file.")]
    public string? Model { get; init; }

    [CommandOption("--threshold <P>")]
    [Description("Override every keyword's threshold: a smoothed probability above 0, at most 1. Default: the package's (see hark calibrate).")]
    public double? Threshold { get; init; }

    [CommandOption("--infer-every <FRAMES>")]
    [Description("Override how many front-end frames pass between inferences (default: the package's, 5 = 100 ms).")]
    public int? InferEvery { get; init; }

    [CommandOption("--smoothing <N>")]
    [Description("Override how many inferences are averaged (1 to 8).")]
    public int? Smoothing { get; init; }

    [CommandOption("--refractory <SECONDS>")]
    [Description("Override the time after a detection during which no other fires.")]
    public double? Refractory { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (Threshold is <= 0 or > 1) return ValidationResult.Error("--threshold must be in (0, 1]");
        if (InferEvery is < 1) return ValidationResult.Error("--infer-every must be at least 1");
        if (Smoothing is < 1 or > DetectorSettings.MaxSmoothing) return ValidationResult.Error($"--smoothing must be 1..{DetectorSettings.MaxSmoothing}");
        if (Refractory is < 0) return ValidationResult.Error("--refractory must not be negative");
        return ValidationResult.Success();
    }

    /// <summary>The package's detector settings with this command line's overrides.</summary>
    public DetectorSettings Detector(ModelPackage package)
    {
        var d = package.Detector;
        if (Threshold is { } t)
            d = d.WithThresholds(package.Labels.Select((l, i) => DetectorSettings.IsKeyword(l) ? DetectorSettings.FromProbability(t) : (ushort)0).ToArray());
        return d with
        {
            InferEvery = InferEvery ?? d.InferEvery,
            Smoothing = Smoothing ?? d.Smoothing,
            RefractorySamples = Refractory is { } r ? (int)Math.Round(r * package.FrontEnd.SampleRate) : d.RefractorySamples,
        };
    }

    internal static string Describe(DetectorSettings d, ModelPackage package) =>
        string.Join(", ", package.Labels.Select((l, i) => (l, i)).Where(x => d.Thresholds[x.i] > 0)
            .Select(x => $"{x.l} {DetectorSettings.ToProbability(d.Thresholds[x.i]).ToString("0.###", CultureInfo.InvariantCulture)}"))
        + $"; {d.Summary}";
}
