using Hark.Datasets;

namespace Hark.Curation;

/// <summary>
/// Settings for <see cref="Curator"/>. How the level settings interact, per output clip:
/// <list type="number">
/// <item>The word clip is scaled by <see cref="WordVolume"/> (and, in train only, a random
/// ±<see cref="GainJitterDb"/> dB). This sets the loudness of the whole mix; it does not change the SNR.</item>
/// <item>With probability <see cref="NoiseProbability"/> a 1-s noise window is added so that speech RMS over noise
/// RMS is an SNR drawn uniformly from [<see cref="SnrDbMin"/>, <see cref="SnrDbMax"/>] dB.</item>
/// <item><see cref="BackgroundVolume"/> then scales that noise: 1 keeps the drawn SNR, 0.5 raises it by 6 dB. The
/// manifest records the SNR actually applied. Silence clips are background only, at
/// <see cref="BackgroundVolume"/> times a random level in (0, 1].</item>
/// </list>
/// A mix that would clip is scaled down as a whole (SNR unchanged; the manifest's gain includes it).
/// </summary>
public sealed record CurationOptions
{
    public required IReadOnlyList<string> DataRoots { get; init; }
    /// <summary>Keywords in model order; mapped with <see cref="Labels.ToFolderName"/> ("trick or treat" → trick_or_treat).</summary>
    public required IReadOnlyList<string> Keywords { get; init; }
    /// <summary>Training clips per class; validation and test get proportionally fewer (see <see cref="Curator"/>).</summary>
    public required int PerClass { get; init; }
    /// <summary>
    /// Training clips of <c>_unknown_</c> when it should differ from <see cref="PerClass"/>: a larger unknown class
    /// (many words, each from many speakers) is what teaches a spotter to reject the words it will hear most.
    /// Null: <see cref="PerClass"/>.
    /// </summary>
    public int? UnknownPerClass { get; init; }
    public required string OutputDir { get; init; }
    public int Seed { get; init; }
    /// <summary>Replace an existing non-empty output folder (only once the new one is complete).</summary>
    public bool Force { get; init; }
    public double SnrDbMin { get; init; } = 5;
    public double SnrDbMax { get; init; } = 20;
    public double NoiseProbability { get; init; } = 0.8;
    public double WordVolume { get; init; } = 1.0;
    public double BackgroundVolume { get; init; } = 1.0;
    /// <summary>Largest random time shift of a training word, in milliseconds (Speech Commands uses 100).</summary>
    public double MaxShiftMs { get; init; } = 100;
    public double GainJitterDb { get; init; } = 3;
    public SplitOptions Split { get; init; } = SplitOptions.Default;
    /// <summary>Worker threads; the output is identical for any value.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws one <see cref="HarkException"/> listing every bad setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (DataRoots.Count == 0) errors.Add("at least one --data folder is needed");
        if (Keywords.Count == 0) errors.Add("at least one keyword is needed");
        foreach (string k in Keywords)
            if (k.Length == 0 || k is Labels.Unknown or Labels.Silence)
                errors.Add($"'{k}' cannot be a keyword");
        if (Keywords.Distinct().Count() != Keywords.Count) errors.Add("keywords must be distinct");
        if (PerClass < 1) errors.Add($"per-class must be at least 1, got {PerClass}");
        if (UnknownPerClass is < 1) errors.Add($"unknown per-class must be at least 1, got {UnknownPerClass}");
        if (string.IsNullOrWhiteSpace(OutputDir)) errors.Add("an output folder is needed");
        if (!(SnrDbMin <= SnrDbMax)) errors.Add($"SNR range must be min,max with min <= max, got {SnrDbMin},{SnrDbMax}");
        if (NoiseProbability is < 0 or > 1 || double.IsNaN(NoiseProbability))
            errors.Add($"noise probability must be in [0, 1], got {NoiseProbability}");
        if (!(WordVolume > 0)) errors.Add($"word volume must be > 0, got {WordVolume}");
        if (!(BackgroundVolume >= 0)) errors.Add($"background volume must be >= 0, got {BackgroundVolume}");
        if (!(MaxShiftMs >= 0)) errors.Add($"max shift must be >= 0 ms, got {MaxShiftMs}");
        if (!(GainJitterDb >= 0)) errors.Add($"gain jitter must be >= 0 dB, got {GainJitterDb}");
        if (MaxParallelism < 1) errors.Add("parallelism must be at least 1");
        if (errors.Count > 0) throw new HarkException(string.Join("; ", errors));
        Split.Validate();
    }
}
