using Hark.Features;

namespace Hark.Tests.Features;

public class FrontEndConfigTests
{
    [Fact]
    public void Default_IsTheHelloEdgeFrontEnd()
    {
        var config = FrontEndConfig.Default;
        Assert.Equal((480, 320, 16000), (config.WindowSamples, config.StrideSamples, config.ClipSamples));
        var frontEnd = new FrontEnd(config);
        Assert.Equal(49, frontEnd.FramesPerClip);
        Assert.Equal(10, frontEnd.FeaturesPerFrame);
        Assert.Equal(257, frontEnd.SpectrumBins);
        Assert.Same(FrontEndConfig.Default, FrontEndConfig.Preset("mfcc10"));
    }

    [Theory]
    [InlineData("mfcc10", 49, 10)]
    [InlineData("logmel40", 98, 40)]
    [InlineData("mfcc13", 98, 13)]
    [InlineData("logmel32-fast", 31, 32)]
    public void Presets_HaveTheDocumentedShape(string name, int frames, int features)
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Preset(name));
        Assert.Equal((frames, features), (frontEnd.FramesPerClip, frontEnd.FeaturesPerFrame));
        Assert.Contains($"{frames}x{features}", FrontEndConfig.PresetSummary(name));
    }

    [Fact]
    public void Preset_UnknownName_ListsTheKnownOnes()
    {
        var e = Assert.Throws<HarkException>(() => FrontEndConfig.Preset("mfcc99"));
        Assert.Contains("'mfcc99'", e.Message);
        foreach (string name in FrontEndConfig.PresetNames) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void Validate_ReportsEveryProblemAtOnce()
    {
        var bad = FrontEndConfig.Default with
        {
            WindowMs = 30.01, StrideMs = 0, FftSize = 500, HighHz = 9000, PreEmphasis = 1.5, LogFloor = 0,
            Coefficients = 41,
        };
        var e = Assert.Throws<FrontEndConfigException>(() => new FrontEnd(bad));
        Assert.Equal(7, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.StartsWith("window_ms 30.01 is not a whole number of samples"));
        Assert.Contains(e.Problems, p => p.StartsWith("stride_ms 0"));
        Assert.Contains(e.Problems, p => p.StartsWith("fft_size 500"));
        Assert.Contains(e.Problems, p => p.StartsWith("high_hz 9000"));
        Assert.Contains(e.Problems, p => p.StartsWith("pre_emphasis 1.5"));
        Assert.Contains(e.Problems, p => p.StartsWith("log_floor 0"));
        Assert.Contains(e.Problems, p => p.StartsWith("coefficients 41"));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(128, 40, "fft_size 128 is smaller than the window")]
    [InlineData(512, 128, "covers no FFT bin")]
    public void Validate_RejectsUnworkableCombinations(int fftSize, int melBands, string expected)
    {
        var errors = (FrontEndConfig.Default with { FftSize = fftSize, MelBands = melBands }).Validate();
        Assert.Contains(errors, p => p.Contains(expected));
    }

    [Fact]
    public void Validate_LogMelWithCoefficients_IsAnError()
    {
        var errors = (FrontEndConfig.Default with { Output = FeatureKind.LogMel }).Validate();
        Assert.Equal(["coefficients 10 must be 0 for log_mel output (it is unused)"], errors);
    }

    [Fact]
    public void Json_RoundTripsEveryPresetAndAnOddConfig()
    {
        var configs = FrontEndConfig.PresetNames.Select(FrontEndConfig.Preset)
            .Append(FrontEndConfig.Default with { PreEmphasis = 0.1 + 0.2, LogFloor = 1.0 / 3e7, Window = WindowFunction.Blackman });
        foreach (var config in configs)
        {
            string json = config.ToJson();
            var back = FrontEndConfig.FromJson(json);
            Assert.Equal(config, back);
            Assert.Equal(config.GetHashCode(), back.GetHashCode());
            Assert.Equal(json, back.ToJson());
        }
    }

    [Fact]
    public void Json_IsInvariantSnakeCase()
    {
        string json = FrontEndConfig.Preset("logmel40").ToJson();
        Assert.Contains("\"format_version\": 1", json);
        Assert.Contains("\"window_ms\": 30", json);
        Assert.Contains("\"log_floor\": 1E-06", json);
        Assert.Contains("\"output\": \"log_mel\"", json);
        Assert.Contains("\"spectrum\": \"power\"", json);
    }

    [Theory]
    [InlineData("\"fft_size\": 512,", "", "'fft_size' is missing")]
    [InlineData("\"fft_size\": 512,", "\"fft_size\": 512, \"fft\": 1,", "unknown key 'fft'")]
    [InlineData("\"fft_size\": 512,", "\"fft_size\": 512.5,", "'fft_size' must be an integer, not 512.5")]
    [InlineData("\"fft_size\": 512,", "\"fft_size\": \"512\",", "'fft_size' must be a number")]
    [InlineData("\"window\": \"hann\"", "\"window\": \"kaiser\"", "'window' is \"kaiser\", expected one of hann, hamming, blackman, rectangular")]
    [InlineData("\"format_version\": 1", "\"format_version\": 2", "format_version 2 is not supported")]
    [InlineData("\"fft_size\": 512,", "\"fft_size\": 256,", "fft_size 256 is smaller than the window")]
    public void FromJson_IsStrict(string find, string replace, string expected)
    {
        string json = FrontEndConfig.Default.ToJson();
        Assert.Contains(find, json);
        var e = Assert.Throws<FrontEndConfigException>(() => FrontEndConfig.FromJson(json.Replace(find, replace)));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("")]
    public void FromJson_NotAnObject_IsAConfigError(string json) =>
        Assert.Throws<FrontEndConfigException>(() => FrontEndConfig.FromJson(json));

    [Fact]
    public void Equality_IsByValue()
    {
        Assert.Equal(FrontEndConfig.Default, new FrontEndConfig());
        Assert.NotEqual(FrontEndConfig.Default, FrontEndConfig.Default with { LowHz = 20.000001 });
    }
}
