using Hark.Datasets;

namespace Hark.Streaming;

/// <summary>
/// Settings for <see cref="StreamBuilder"/> (<c>hark stream-bench</c>). How a stream is made:
/// <list type="number">
/// <item>The background is continuous: cuts of the data roots' <c>_background_noise_</c> recordings at random offsets
/// (3-15 s each, each scaled to an RMS level drawn from [<see cref="NoiseMinDb"/>, <see cref="NoiseMaxDb"/>] dBFS),
/// joined by equal-power crossfades of <see cref="CrossfadeSeconds"/>; a share <see cref="SilenceGapProbability"/> of
/// the cuts are silence gaps (0.5-3 s of digital silence) instead.</item>
/// <item>Keyword clips (about <see cref="KeywordsPerMinute"/>, the keywords taking turns) and distractor clips (other
/// words of the data, about <see cref="DistractorsPerMinute"/>) are shuffled and laid out at random spacing, at
/// least <see cref="MinGapSeconds"/> apart; each contributes its spoken word (found by energy) with a faded
/// <see cref="MarginSeconds"/> either side, never its whole padded second.</item>
/// <item>Each word is scaled so its RMS over the background's RMS across the same samples is an SNR drawn from
/// [<see cref="SnrMinDb"/>, <see cref="SnrMaxDb"/>] dB (lower if its peak would clip). Over a silence gap, where no
/// SNR exists, its level is the middle background level plus the drawn SNR.</item>
/// </list>
/// Clips come only from <see cref="Splits"/> (Speech Commands' speaker hash, exactly as curation splits), and so do
/// the noise cuts: each recording is divided in time as <c>hark curate</c> divides it, so a test stream hears
/// neither the speakers nor the stretches of noise a curated training set used.
/// </summary>
public sealed record StreamBenchOptions
{
    public required IReadOnlyList<string> DataRoots { get; init; }
    /// <summary>Keywords; mapped with <see cref="Labels.ToFolderName"/>.</summary>
    public required IReadOnlyList<string> Keywords { get; init; }
    public required double Minutes { get; init; }
    public required string OutputDir { get; init; }
    public int Seed { get; init; } = 1;
    /// <summary>Splits to take clips (and noise stretches) from; every split when null.</summary>
    public IReadOnlyList<Split>? Splits { get; init; }
    public double KeywordsPerMinute { get; init; } = 6;
    public double DistractorsPerMinute { get; init; } = DefaultDistractorsPerMinute;

    public const double DefaultDistractorsPerMinute = 6;
    public double SnrMinDb { get; init; } = 5;
    public double SnrMaxDb { get; init; } = 20;
    public double NoiseMinDb { get; init; } = -45;
    public double NoiseMaxDb { get; init; } = -30;
    public double MinGapSeconds { get; init; } = 2;
    public double SilenceGapProbability { get; init; } = 0.1;
    public double CrossfadeSeconds { get; init; } = 0.1;
    public double MarginSeconds { get; init; } = 0.15;
    /// <summary>Replace an existing non-empty output folder (only once the new one is complete).</summary>
    public bool Force { get; init; }
    public SplitOptions Split { get; init; } = SplitOptions.Default;

    /// <summary>Longest stream: a 16-bit WAV holds at most 2^30 samples (18.6 h at 16 kHz).</summary>
    public const double MaxMinutes = 1080;

    /// <summary>Throws one <see cref="HarkException"/> listing every bad setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (DataRoots.Count == 0) errors.Add("at least one --data folder is needed");
        if (Keywords.Count == 0) errors.Add("at least one keyword is needed");
        foreach (string k in Keywords)
            if (k.Length == 0 || k is Labels.Unknown or Labels.Silence) errors.Add($"'{k}' cannot be a keyword");
        if (Keywords.Distinct().Count() != Keywords.Count) errors.Add("keywords must be distinct");
        if (!(Minutes > 0 && Minutes <= MaxMinutes)) errors.Add($"minutes must be in (0, {MaxMinutes}], got {Minutes}");
        if (string.IsNullOrWhiteSpace(OutputDir)) errors.Add("an output folder is needed");
        if (Splits is { Count: 0 }) errors.Add("at least one split is needed");
        if (!(KeywordsPerMinute > 0 && KeywordsPerMinute <= 30)) errors.Add($"keywords per minute must be in (0, 30], got {KeywordsPerMinute}");
        if (!(DistractorsPerMinute >= 0 && DistractorsPerMinute <= 30)) errors.Add($"distractors per minute must be in [0, 30], got {DistractorsPerMinute}");
        if (!(SnrMinDb <= SnrMaxDb) || SnrMinDb < -20 || SnrMaxDb > 60) errors.Add($"SNR range must satisfy -20 <= min <= max <= 60 dB, got {SnrMinDb}..{SnrMaxDb}");
        if (!(NoiseMinDb <= NoiseMaxDb) || NoiseMinDb < -90 || NoiseMaxDb > -3) errors.Add($"noise level range must satisfy -90 <= min <= max <= -3 dBFS, got {NoiseMinDb}..{NoiseMaxDb}");
        if (!(MinGapSeconds >= 0 && MinGapSeconds <= 60)) errors.Add($"minimum gap must be in [0, 60] s, got {MinGapSeconds}");
        if (!(SilenceGapProbability >= 0 && SilenceGapProbability <= 1)) errors.Add($"silence gap probability must be in [0, 1], got {SilenceGapProbability}");
        if (!(CrossfadeSeconds >= 0 && CrossfadeSeconds <= 1)) errors.Add($"crossfade must be in [0, 1] s, got {CrossfadeSeconds}");
        if (!(MarginSeconds >= 0 && MarginSeconds <= 0.5)) errors.Add($"margin must be in [0, 0.5] s, got {MarginSeconds}");
        if (errors.Count > 0) throw new HarkException(string.Join("; ", errors));
        Split.Validate();
    }
}
