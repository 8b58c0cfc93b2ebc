using System.Text.Json;
using System.Text.Json.Serialization;
using Hark.Datasets;

namespace Hark.Streaming;

/// <summary>
/// How a continuous stream becomes keyword events; stored in the model package and compiled into the C library
/// (<c>hark_kws_config</c> in runtime/c/hark_kws.h, which documents the algorithm both sides run).
/// </summary>
/// <param name="InferEvery">Front-end frames between inferences (5 x 20 ms hops = every 100 ms by default).</param>
/// <param name="Smoothing">Inferences whose posteriors are averaged.</param>
/// <param name="MinCount">Consecutive inferences above threshold before an event fires.</param>
/// <param name="RefractorySamples">Samples after an event during which no event fires.</param>
/// <param name="Thresholds">Per label, in 1/256 probability units (0..256); 0 = the label never fires.</param>
public sealed record DetectorSettings(int InferEvery, int Smoothing, int MinCount, int RefractorySamples, ushort[] Thresholds)
{
    /// <summary>Largest <see cref="Smoothing"/> the C library accepts (HARK_KWS_MAX_SMOOTHING).</summary>
    public const int MaxSmoothing = 8;

    /// <summary>Threshold of a keyword nobody calibrated yet: a smoothed probability of 0.8.</summary>
    public const ushort UncalibratedThreshold = 205;

    /// <summary>Defaults for a model: keywords at <see cref="UncalibratedThreshold"/>, unknown and silence never fire.</summary>
    public static DetectorSettings Default(IReadOnlyList<string> labels, int sampleRate = 16000) => new(
        InferEvery: 5, Smoothing: 3, MinCount: 1, RefractorySamples: sampleRate,
        Thresholds: labels.Select(l => IsKeyword(l) ? UncalibratedThreshold : (ushort)0).ToArray());

    /// <summary>Labels that can fire: everything but <see cref="Labels.Unknown"/> and <see cref="Labels.Silence"/>.</summary>
    public static bool IsKeyword(string label) => label is not (Labels.Unknown or Labels.Silence);

    /// <summary>Threshold as a probability (for reports).</summary>
    public static double ToProbability(ushort threshold) => threshold / 256.0;

    /// <summary>The threshold for probability <paramref name="p"/>: the smallest q with q/256 >= p, in 1..256.</summary>
    public static ushort FromProbability(double p) => (ushort)Math.Clamp((int)Math.Ceiling(p * 256 - 1e-9), 1, 256);

    public DetectorSettings WithThresholds(ushort[] thresholds) => this with { Thresholds = thresholds };

    /// <summary>Every rule the C library checks in hark_kws_configure, so a package never holds settings it refuses.</summary>
    public IEnumerable<string> Problems(int labelCount)
    {
        if (InferEvery < 1) yield return "infer_every must be at least 1";
        if (Smoothing is < 1 or > MaxSmoothing) yield return $"smoothing must be 1..{MaxSmoothing}";
        if (MinCount < 1) yield return "min_count must be at least 1";
        if (RefractorySamples < 0) yield return "refractory must not be negative";
        if (Thresholds is null || Thresholds.Length != labelCount) yield return $"thresholds must have one value per label ({labelCount})";
        else if (Thresholds.Any(t => t > 256)) yield return "thresholds must be 0..256";
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="JsonException">Not a detector settings object.</exception>
    public static DetectorSettings FromJson(string json) =>
        JsonSerializer.Deserialize<DetectorSettings>(json, Json) ?? throw new JsonException("null detector settings");

    public bool Equals(DetectorSettings? other) =>
        other is not null && InferEvery == other.InferEvery && Smoothing == other.Smoothing && MinCount == other.MinCount &&
        RefractorySamples == other.RefractorySamples && Thresholds.AsSpan().SequenceEqual(other.Thresholds);

    public override int GetHashCode() => HashCode.Combine(InferEvery, Smoothing, MinCount, RefractorySamples, Thresholds.Length);

    [JsonIgnore]
    public string Summary => $"every {InferEvery} frames, smoothing {Smoothing}, min count {MinCount}, refractory {RefractorySamples} samples";
}
