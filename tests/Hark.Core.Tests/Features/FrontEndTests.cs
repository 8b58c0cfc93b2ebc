using Hark.Audio;
using Hark.Features;
using Xunit.Abstractions;

namespace Hark.Tests.Features;

public class FrontEndTests(ITestOutputHelper output)
{
    /// <summary>
    /// Float32 against the double reference. The FFT rounds about log2(N) * 2^-24 of the frame's energy into each
    /// bin, so mel energies that this test signal keeps within ~60 dB of the loudest band carry relative errors up
    /// to ~1e-5, which the log turns into the same absolute error; HarkMath.Log adds under one ulp (~1e-6 here);
    /// MFCCs sum 40 such terms with weights up to sqrt(2/40) = 0.22. Measured on 2026-11-25: 5e-6 (mfcc10),
    /// 1e-5 (logmel40, logmel32-fast), 3.4e-5 (mfcc13, whose pre-emphasis whitens the spectrum less evenly).
    /// The bounds leave about 6x margin; a wrong table, window or band edge gives errors of 1e-2 and more.
    /// </summary>
    [Theory]
    [InlineData("mfcc10", 2e-4)]
    [InlineData("logmel40", 1e-4)]
    [InlineData("mfcc13", 2e-4)]
    [InlineData("logmel32-fast", 1e-4)]
    public void MatchesNaiveDoubleReference(string preset, double tolerance)
    {
        var config = FrontEndConfig.Preset(preset);
        var frontEnd = new FrontEnd(config);
        short[] clip = TestSignals.ChirpWithNoise();
        var features = new float[frontEnd.FramesPerClip * frontEnd.FeaturesPerFrame];
        frontEnd.ComputeClip(clip, features);
        var expected = ReferenceFrontEnd.Compute(config, clip);

        double worst = 0;
        for (int f = 0; f < frontEnd.FramesPerClip; f++)
            for (int c = 0; c < frontEnd.FeaturesPerFrame; c++)
                worst = Math.Max(worst, Math.Abs(features[f * frontEnd.FeaturesPerFrame + c] - expected[f, c]));
        output.WriteLine($"{preset}: worst abs difference from the double reference {worst:E3}");
        Assert.True(worst <= tolerance, $"{preset}: worst abs difference {worst:E3} > {tolerance:E1}");
        Assert.True(worst > 0, "identical to a double computation: the comparison is not exercising float32");
    }

    /// <summary>
    /// Golden bits, FrontEnd format_version 1, produced 2026-11-25 by this implementation on x64 .NET 10 from
    /// <see cref="TestSignals.ChirpWithNoise"/> with the mfcc10 preset (frames 0, 24 and 48, all 10 MFCC each, as
    /// float bit patterns). A change here means every trained model's features changed: bump
    /// <see cref="FrontEndConfig.FormatVersion"/>, regenerate, and say why in the commit.
    /// </summary>
    [Fact]
    public void Mfcc10_MatchesGoldenBits()
    {
        uint[] golden =
        [
            // frames 0, 24, 48; coefficients 0-4 then 5-9 on each pair of lines
            0xC06FAD6F, 0x4009F894, 0x40BAB165, 0x40850E4F, 0x3FEEF368,
            0x3ABFB560, 0xBF8B98B8, 0xBF9167BF, 0xBFF0AE0F, 0xC026D9A5,
            0xC0EA749E, 0xC0A0CB17, 0xBEAEB658, 0xBF28CEC5, 0xBFE1F6C0,
            0x402B2090, 0xC0146A60, 0x3F94D38A, 0x3F025D04, 0xBF7FC051,
            0xC112D618, 0xC035636E, 0x3F1203E2, 0xBF171D28, 0xBD7CC2A8,
            0xBE233B3E, 0x3EC73D19, 0x3F534781, 0x3F5004E9, 0xBF0BE62B,
        ];
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        float[] features = frontEnd.ComputeClip(TestSignals.ToFloat(TestSignals.ChirpWithNoise()));
        var actual = new[] { 0, 24, 48 }
            .SelectMany(f => features.AsSpan(f * 10, 10).ToArray())
            .Select(BitConverter.SingleToUInt32Bits)
            .ToArray();
        Assert.Equal(golden, actual);
    }

    [Fact]
    public void FloatAndInt16Input_GiveIdenticalFeatures()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Preset("mfcc13"));
        short[] clip = TestSignals.ChirpWithNoise();
        var fromShorts = new float[frontEnd.FramesPerClip * frontEnd.FeaturesPerFrame];
        frontEnd.ComputeClip(clip, fromShorts);
        Assert.Equal(fromShorts, frontEnd.ComputeClip(TestSignals.ToFloat(clip)));
    }

    [Fact]
    public void ShortInput_IsZeroPadded_LongInput_IsCut()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        float[] clip = TestSignals.ToFloat(TestSignals.ChirpWithNoise());
        float[] full = frontEnd.ComputeClip(clip);

        var padded = new float[16000];
        clip.AsSpan(0, 9000).CopyTo(padded);
        Assert.Equal(frontEnd.ComputeClip(padded), frontEnd.ComputeClip(clip.AsSpan(0, 9000)));

        float[] longer = [.. clip, .. Enumerable.Repeat(0.5f, 4000)];
        Assert.Equal(full, frontEnd.ComputeClip(longer));

        float[] silence = frontEnd.ComputeClip([]);
        Assert.All(silence, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(MathF.Log(1e-6f) * MathF.Sqrt(2f / 40) * 40, silence[0], 1e-3);
    }

    [Theory]
    [InlineData(0f, 0)]
    [InlineData(1f, 32767)]
    [InlineData(-1f, -32768)]
    [InlineData(2.5f, 32767)]
    [InlineData(-7f, -32768)]
    [InlineData(float.NaN, 0)]
    [InlineData(1.5f / 32768, 2)]     // half to even
    [InlineData(2.5f / 32768, 2)]
    [InlineData(-0.5f / 32768, 0)]
    public void Quantize_RoundsHalfToEvenAndSaturates(float sample, short expected) =>
        Assert.Equal(expected, FrontEnd.Quantize(sample));

    [Fact]
    public void Quantize_AgreesWithTheWavWriter()
    {
        var random = new DeterministicRandom(7);
        for (int i = 0; i < 10000; i++)
        {
            float sample = (float)random.NextDouble(-1.2, 1.2);
            Assert.Equal(WavWriter.ToPcm16(sample), FrontEnd.Quantize(sample));
        }
    }

    [Fact]
    public void ComputeClip_WrongOutputLength_Throws()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var e = Assert.Throws<ArgumentException>(() => frontEnd.ComputeClip(new float[16000], new float[480]));
        Assert.Contains("490", e.Message);
    }

    [Fact]
    public void ComputeClip_IsThreadSafe()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        float[] clip = TestSignals.ToFloat(TestSignals.ChirpWithNoise());
        float[] expected = frontEnd.ComputeClip(clip);
        Parallel.For(0, 64, _ => Assert.Equal(expected, frontEnd.ComputeClip(clip)));
    }

    [Fact]
    public void Spectrogram_PeaksAtTheToneFrequency()
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        float[] tone = Enumerable.Range(0, 8000).Select(i => 0.5f * MathF.Sin(2 * MathF.PI * 1000 * i / 16000f)).ToArray();
        int frames = frontEnd.FrameCount(tone.Length);
        var power = new float[frames * frontEnd.SpectrumBins];
        frontEnd.ComputeSpectrogram(tone, power);
        for (int f = 0; f < frames; f++)
        {
            var row = power.AsSpan(f * frontEnd.SpectrumBins, frontEnd.SpectrumBins);
            Assert.Equal(32, row.IndexOf(TensorMax(row)));   // 1000 Hz * 512 / 16000
        }
    }

    [Fact]
    public void Tables_AreSparseTrianglesAndOrthonormalCosines()
    {
        var tables = new FrontEnd(FrontEndConfig.Default).Tables;
        Assert.Equal(480, tables.Window.Length);
        Assert.Equal(0f, tables.Window[0]);
        Assert.Equal(1f, tables.Window[240]);
        Assert.Equal(256, tables.FftCos.Length);
        Assert.Equal(40 * 10, tables.Dct.Length);
        for (int b = 0; b < 40; b++)
        {
            Assert.True(tables.MelStart[b] >= 1 && tables.MelLength[b] >= 1);
            var weights = tables.MelWeights.Slice(tables.MelOffset[b], tables.MelLength[b]);
            Assert.True(weights[0] > 0 && weights[^1] > 0 && TensorMax(weights) <= 1f);
        }
        Assert.True(tables.MelStart[39] + tables.MelLength[39] - 1 <= 128);   // 4000 Hz is bin 128
    }

    [SkippableFact]
    public void RealSpeech_FeaturesAreFiniteAndInASaneRange()
    {
        string root = TestPaths.RequireSpeechCommandsDev();
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var logMel = new FrontEnd(FrontEndConfig.Preset("logmel40"));
        var files = new[] { "yes", "no", "_silence_" }
            .SelectMany(word => Directory.GetFiles(Path.Combine(root, word), "*.wav").Order().Take(10)).ToArray();
        Assert.NotEmpty(files);
        double firstCoefficientSum = 0;
        foreach (string file in files)
        {
            var clip = WavReader.Read(file);
            float[] mfcc = frontEnd.ComputeClip(clip.Samples);
            float[] mel = logMel.ComputeClip(clip.Samples);
            Assert.All(mfcc, v => Assert.True(float.IsFinite(v) && Math.Abs(v) < 200, $"{file}: mfcc {v}"));
            // ln(1e-6) = -13.8 is the floor; a full-scale 512-point power spectrum stays below ln(512^2 * 40) = 23.
            Assert.All(mel, v => Assert.True(v >= -13.9f && v < 23f, $"{file}: log-mel {v}"));
            firstCoefficientSum += Enumerable.Range(0, 49).Average(f => mfcc[f * 10]);
        }
        double meanC0 = firstCoefficientSum / files.Length;
        Assert.InRange(meanC0, -80, 40);   // c0 is sqrt(2/40) * sum of log-mels: silence -87, full scale about +60
    }

    private static float TensorMax(ReadOnlySpan<float> values)
    {
        float max = float.NegativeInfinity;
        foreach (float v in values) max = Math.Max(max, v);
        return max;
    }
}
