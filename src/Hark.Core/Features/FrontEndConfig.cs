using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hark.Features;

/// <summary>Window applied to each frame before the FFT. All are the periodic (DFT-even) forms, as in tf.signal.</summary>
public enum WindowFunction { Hann, Hamming, Blackman, Rectangular }

/// <summary>What the mel filters are applied to.</summary>
public enum SpectrumKind
{
    /// <summary>|X[k]| (tf.signal / MLPerf Tiny).</summary>
    Magnitude,
    /// <summary>|X[k]|^2 (torchaudio / librosa default).</summary>
    Power,
}

/// <summary>What one frame of features is.</summary>
public enum FeatureKind
{
    /// <summary>The first <see cref="FrontEndConfig.Coefficients"/> DCT-II coefficients of the log-mel energies.</summary>
    Mfcc,
    /// <summary>The <see cref="FrontEndConfig.MelBands"/> log-mel energies themselves.</summary>
    LogMel,
}

/// <summary>
/// Every setting of the feature front end. It is saved inside trained models (see <see cref="ToJson"/>), so two
/// configs that compare equal compute bit-identical features.
/// <para>
/// Defaults are the MLPerf Tiny / Hello Edge keyword-spotting front end: 16 kHz, 1 s clips, 30 ms periodic Hann
/// window (480 samples), 20 ms stride (320), 512-point FFT, magnitude spectrum, 40 HTK-mel triangles 20-4000 Hz,
/// natural log of (mel + 1e-6), 10 MFCC, which is 49 x 10 features per clip.
/// </para>
/// <para>
/// Rules (checked by <see cref="Validate"/>, all problems reported at once): sample rate 1000-192000 Hz; clip,
/// window and stride are whole numbers of samples; 0 &lt; stride &lt;= window &lt;= clip; FFT size a power of two,
/// &gt;= window, &lt;= 8192; 0 &lt;= low &lt; high &lt;= Nyquist; 1-256 mel bands and every band covers at least one
/// FFT bin; pre-emphasis in [0, 1); log floor in [1e-30, 1]; for MFCC 1 &lt;= coefficients &lt;= mel bands, for
/// log-mel coefficients is 0 (it is unused).
/// </para>
/// </summary>
public sealed record FrontEndConfig
{
    /// <summary>Bumped when the computation changes in a way that alters features; stored in the JSON.</summary>
    public const int FormatVersion = 1;

    public int SampleRate { get; init; } = 16000;
    public double ClipMs { get; init; } = 1000;
    public double WindowMs { get; init; } = 30;
    public double StrideMs { get; init; } = 20;
    public int FftSize { get; init; } = 512;
    public int MelBands { get; init; } = 40;
    public double LowHz { get; init; } = 20;
    public double HighHz { get; init; } = 4000;
    public int Coefficients { get; init; } = 10;
    public WindowFunction Window { get; init; } = WindowFunction.Hann;
    public SpectrumKind Spectrum { get; init; } = SpectrumKind.Magnitude;
    /// <summary>y[n] = x[n] - a x[n-1] within the frame (x[-1] is the sample before the frame); 0 disables it.</summary>
    public double PreEmphasis { get; init; }
    /// <summary>Added to every mel energy before the log, so silence gives ln(floor) rather than -inf.</summary>
    public double LogFloor { get; init; } = 1e-6;
    public FeatureKind Output { get; init; } = FeatureKind.Mfcc;

    public int ClipSamples => MsToSamples(ClipMs);
    public int WindowSamples => MsToSamples(WindowMs);
    public int StrideSamples => MsToSamples(StrideMs);
    public int FeaturesPerFrame => Output == FeatureKind.Mfcc ? Coefficients : MelBands;

    /// <summary>The MLPerf Tiny / Hello Edge front end, preset "mfcc10".</summary>
    public static FrontEndConfig Default { get; } = new();

    private static readonly (string Name, string Summary, FrontEndConfig Config)[] Presets =
    [
        ("mfcc10", "MLPerf Tiny / Hello Edge: 30/20 ms Hann, 40 mel 20-4000 Hz, 10 MFCC, 49x10 per second (default)",
            Default),
        ("logmel40", "BC-ResNet style: 30/10 ms Hann, power spectrum, 40 log-mel 20-8000 Hz, 98x40 per second",
            new() { StrideMs = 10, HighHz = 8000, Spectrum = SpectrumKind.Power, Output = FeatureKind.LogMel, Coefficients = 0 }),
        ("mfcc13", "speech-recognition style: 25/10 ms Hamming, 0.97 pre-emphasis, 40 mel 20-8000 Hz, 13 MFCC, 98x13",
            new() { WindowMs = 25, StrideMs = 10, HighHz = 8000, Coefficients = 13, Window = WindowFunction.Hamming,
                    Spectrum = SpectrumKind.Power, PreEmphasis = 0.97 }),
        ("logmel32-fast", "small MCU: 32/32 ms Hann, no overlap, 512 FFT, 32 log-mel 20-4000 Hz, 31x32 per second",
            new() { WindowMs = 32, StrideMs = 32, MelBands = 32, Output = FeatureKind.LogMel, Coefficients = 0 }),
    ];

    public static IReadOnlyList<string> PresetNames { get; } = Presets.Select(p => p.Name).ToArray();

    /// <summary>One-line description of a preset, for help text.</summary>
    public static string PresetSummary(string name) => Presets[IndexOfPreset(name)].Summary;

    /// <summary>A named preset; unknown names throw a <see cref="HarkException"/> listing the known ones.</summary>
    public static FrontEndConfig Preset(string name) => Presets[IndexOfPreset(name)].Config;

    private static int IndexOfPreset(string name)
    {
        int index = Array.FindIndex(Presets, p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
            throw new HarkException($"unknown front-end preset '{name}' (known: {string.Join(", ", PresetNames)})");
        return index;
    }

    /// <summary>Every problem with this config, empty when it is usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SampleRate is < 1000 or > 192000) errors.Add($"sample_rate {SampleRate} is outside 1000-192000 Hz");
        bool timingOk = CheckSamples(errors, "clip_ms", ClipMs) & CheckSamples(errors, "window_ms", WindowMs)
                        & CheckSamples(errors, "stride_ms", StrideMs);
        if (timingOk)
        {
            if (StrideSamples > WindowSamples) errors.Add($"stride_ms {Fmt(StrideMs)} is longer than window_ms {Fmt(WindowMs)}");
            if (WindowSamples > ClipSamples) errors.Add($"window_ms {Fmt(WindowMs)} is longer than clip_ms {Fmt(ClipMs)}");
        }
        bool fftOk = FftSize is >= 4 and <= 8192 && (FftSize & (FftSize - 1)) == 0;
        if (!fftOk) errors.Add($"fft_size {FftSize} is not a power of two in 4-8192");
        else if (timingOk && FftSize < WindowSamples)
            errors.Add($"fft_size {FftSize} is smaller than the window ({WindowSamples} samples)");
        double nyquist = SampleRate / 2.0;
        bool bandOk = true;
        if (!double.IsFinite(LowHz) || LowHz < 0) { errors.Add($"low_hz {Fmt(LowHz)} must be >= 0"); bandOk = false; }
        if (!double.IsFinite(HighHz) || HighHz > nyquist)
        {
            errors.Add($"high_hz {Fmt(HighHz)} must be <= the Nyquist frequency {Fmt(nyquist)} Hz");
            bandOk = false;
        }
        if (bandOk && LowHz >= HighHz) { errors.Add($"low_hz {Fmt(LowHz)} must be below high_hz {Fmt(HighHz)}"); bandOk = false; }
        bool melOk = MelBands is >= 1 and <= 256;
        if (!melOk) errors.Add($"mel_bands {MelBands} is outside 1-256");
        if (Output == FeatureKind.Mfcc && melOk && (Coefficients < 1 || Coefficients > MelBands))
            errors.Add($"coefficients {Coefficients} must be in 1-{MelBands} (the mel bands) for mfcc output");
        if (Output == FeatureKind.LogMel && Coefficients != 0)
            errors.Add($"coefficients {Coefficients} must be 0 for log_mel output (it is unused)");
        if (!Enum.IsDefined(Output)) errors.Add($"output {(int)Output} is not a feature kind");
        if (!Enum.IsDefined(Window)) errors.Add($"window {(int)Window} is not a window function");
        if (!Enum.IsDefined(Spectrum)) errors.Add($"spectrum {(int)Spectrum} is not a spectrum kind");
        if (!(PreEmphasis >= 0 && PreEmphasis < 1)) errors.Add($"pre_emphasis {Fmt(PreEmphasis)} is outside [0, 1)");
        if (!(LogFloor >= 1e-30 && LogFloor <= 1)) errors.Add($"log_floor {Fmt(LogFloor)} is outside [1e-30, 1]");
        if (errors.Count == 0 && fftOk && bandOk && melOk)
        {
            int empty = MelFilterBank.FirstEmptyBand(this);
            if (empty >= 0)
                errors.Add($"mel band {empty} of {MelBands} ({Fmt(LowHz)}-{Fmt(HighHz)} Hz) covers no FFT bin: " +
                           "use fewer mel bands, a larger fft_size or a wider band");
        }
        return errors;
    }

    /// <summary>Throws one <see cref="FrontEndConfigException"/> listing every problem, or returns this config.</summary>
    public FrontEndConfig EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0) throw new FrontEndConfigException(errors);
        return this;
    }

    /// <summary>Invariant JSON (snake_case keys, enums as snake_case strings, shortest round-trip doubles).</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format_version", FormatVersion);
            w.WriteNumber("sample_rate", SampleRate);
            w.WriteNumber("clip_ms", ClipMs);
            w.WriteNumber("window_ms", WindowMs);
            w.WriteNumber("stride_ms", StrideMs);
            w.WriteNumber("fft_size", FftSize);
            w.WriteNumber("mel_bands", MelBands);
            w.WriteNumber("low_hz", LowHz);
            w.WriteNumber("high_hz", HighHz);
            w.WriteNumber("coefficients", Coefficients);
            w.WriteString("window", JsonNamingPolicy.SnakeCaseLower.ConvertName(Window.ToString()));
            w.WriteString("spectrum", JsonNamingPolicy.SnakeCaseLower.ConvertName(Spectrum.ToString()));
            w.WriteNumber("pre_emphasis", PreEmphasis);
            w.WriteNumber("log_floor", LogFloor);
            w.WriteString("output", JsonNamingPolicy.SnakeCaseLower.ConvertName(Output.ToString()));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Parses <see cref="ToJson"/> output strictly: every key required, no unknown keys, exact types, then
    /// <see cref="Validate"/>. All problems are reported in one <see cref="FrontEndConfigException"/>.
    /// </summary>
    public static FrontEndConfig FromJson(string json)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FrontEndConfigException([$"not valid JSON ({e.Message})"]); }
        using (document)
        {
            var reader = new StrictObjectReader(document.RootElement);
            if (reader.Errors.Count > 0) throw new FrontEndConfigException(reader.Errors);
            int version = reader.Int("format_version");
            var config = new FrontEndConfig
            {
                SampleRate = reader.Int("sample_rate"),
                ClipMs = reader.Double("clip_ms"),
                WindowMs = reader.Double("window_ms"),
                StrideMs = reader.Double("stride_ms"),
                FftSize = reader.Int("fft_size"),
                MelBands = reader.Int("mel_bands"),
                LowHz = reader.Double("low_hz"),
                HighHz = reader.Double("high_hz"),
                Coefficients = reader.Int("coefficients"),
                Window = reader.Enum<WindowFunction>("window"),
                Spectrum = reader.Enum<SpectrumKind>("spectrum"),
                PreEmphasis = reader.Double("pre_emphasis"),
                LogFloor = reader.Double("log_floor"),
                Output = reader.Enum<FeatureKind>("output"),
            };
            reader.RejectUnread();
            if (reader.Errors.Count == 0 && version != FormatVersion)
                reader.Errors.Add($"format_version {version} is not supported (this build reads {FormatVersion})");
            if (reader.Errors.Count > 0) throw new FrontEndConfigException(reader.Errors);
            return config.EnsureValid();
        }
    }

    private int MsToSamples(double ms) => (int)Math.Round(ms * SampleRate / 1000.0);

    private bool CheckSamples(List<string> errors, string name, double ms)
    {
        double samples = ms * SampleRate / 1000.0;
        if (!double.IsFinite(samples) || samples < 1 || samples > 10 * 60 * 192000)
        {
            errors.Add($"{name} {Fmt(ms)} gives no usable number of samples");
            return false;
        }
        if (Math.Abs(samples - Math.Round(samples)) > 1e-6)
        {
            errors.Add($"{name} {Fmt(ms)} is not a whole number of samples at {SampleRate} Hz ({Fmt(samples)})");
            return false;
        }
        return true;
    }

    private static string Fmt(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads typed members of one JSON object, recording every problem instead of stopping at the first.</summary>
    private sealed class StrictObjectReader
    {
        private readonly Dictionary<string, JsonElement> _members = new(StringComparer.Ordinal);
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);
        public List<string> Errors { get; } = [];

        public StrictObjectReader(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) { Errors.Add("front-end config must be a JSON object"); return; }
            foreach (var member in root.EnumerateObject())
                if (!_members.TryAdd(member.Name, member.Value)) Errors.Add($"'{member.Name}' appears twice");
        }

        public int Int(string name)
        {
            if (Get(name, JsonValueKind.Number) is not { } e) return default;
            if (e.TryGetInt32(out int value)) return value;
            Errors.Add($"'{name}' must be an integer, not {e.GetRawText()}");
            return default;
        }

        public double Double(string name) =>
            Get(name, JsonValueKind.Number) is { } e ? e.GetDouble() : default;

        public T Enum<T>(string name) where T : struct, System.Enum
        {
            if (Get(name, JsonValueKind.String) is not { } e) return default;
            string text = e.GetString()!;
            foreach (T value in System.Enum.GetValues<T>())
                if (JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString()) == text) return value;
            string known = string.Join(", ", System.Enum.GetNames<T>().Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));
            Errors.Add($"'{name}' is \"{text}\", expected one of {known}");
            return default;
        }

        public void RejectUnread()
        {
            foreach (string name in _members.Keys)
                if (!_read.Contains(name)) Errors.Add($"unknown key '{name}'");
        }

        private JsonElement? Get(string name, JsonValueKind kind)
        {
            _read.Add(name);
            if (!_members.TryGetValue(name, out var e)) { Errors.Add($"'{name}' is missing"); return null; }
            if (e.ValueKind != kind) { Errors.Add($"'{name}' must be a {kind.ToString().ToLowerInvariant()}"); return null; }
            return e;
        }
    }
}

/// <summary>An unusable front-end config; the message lists every problem on one line.</summary>
public sealed class FrontEndConfigException(IReadOnlyList<string> problems)
    : HarkException($"invalid front-end config: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
