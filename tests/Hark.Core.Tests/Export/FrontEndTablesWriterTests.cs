using System.Globalization;
using CsCheck;
using Hark.Export.C;
using Hark.Features;

namespace Hark.Tests.Export;

public class FrontEndTablesWriterTests
{
    [Theory]
    [InlineData(1f, "0x1p+0f")]
    [InlineData(0.125f, "0x1p-3f")]
    [InlineData(0.1875f, "0x1.8p-3f")]
    [InlineData(-2.5f, "-0x1.4p+1f")]
    [InlineData(0f, "0x0p+0f")]
    [InlineData(-0f, "-0x0p+0f")]
    [InlineData(float.Epsilon, "0x0.000002p-126f")]
    [InlineData(float.MaxValue, "0x1.fffffep+127f")]
    [InlineData(1e-6f, "0x1.0c6f7ap-20f")]
    public void Hex_float_literals_are_exact(float value, string literal) =>
        Assert.Equal(literal, FrontEndTablesWriter.HexFloat(value));

    [Fact]
    public void Every_finite_float_round_trips_through_its_literal() =>
        Gen.UInt.Select(BitConverter.UInt32BitsToSingle).Where(float.IsFinite).Sample(value =>
            BitConverter.SingleToUInt32Bits(ParseHexFloat(FrontEndTablesWriter.HexFloat(value))) ==
            BitConverter.SingleToUInt32Bits(value), iter: 20000);

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_floats_have_no_literal(float value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FrontEndTablesWriter.HexFloat(value));

    [Fact]
    public void Source_holds_every_table_value_of_the_config()
    {
        var config = FrontEndConfig.Preset("mfcc13");
        var tables = new FrontEndTables(config);
        string source = FrontEndTablesWriter.Source(config);
        // The symmetric window is stored as its first half; mirrored, it is the whole window.
        Assert.True(FrontEndTablesWriter.IsSymmetric(tables.Window));
        Assert.Contains(".symmetric_window = 1,", source);
        var half = ArrayLiterals(source, "window_fn");
        Assert.Equal(tables.Window.Length / 2 + 1, half.Length);
        Assert.Equal(tables.Window.ToArray().Select(FrontEndTablesWriter.HexFloat),
                     Enumerable.Range(0, tables.Window.Length).Select(i => half[i < half.Length ? i : tables.Window.Length - i]));
        Assert.Equal(tables.Dct.ToArray().Select(FrontEndTablesWriter.HexFloat), ArrayLiterals(source, "dct"));
        Assert.Equal(tables.MelWeights.ToArray().Select(FrontEndTablesWriter.HexFloat), ArrayLiterals(source, "mel_weights"));
        Assert.Equal(tables.BitReverse.ToArray().Select(i => i.ToString(CultureInfo.InvariantCulture)),
                     ArrayLiterals(source, "bit_reverse"));
        Assert.Contains(".pre_emphasis = " + FrontEndTablesWriter.HexFloat(0.97f) + ",", source);
        Assert.Contains("\"pre_emphasis\": 0.97", source);   // the config, as a comment
        Assert.Contains(".output = HARK_FRONTEND_MFCC,", source);
    }

    /// <summary>Every preset's twiddles come back bit for bit from cos[0..N/4] by the rules of hark_frontend.c's twiddle().</summary>
    [Theory]
    [InlineData("mfcc10")]
    [InlineData("logmel40")]
    [InlineData("mfcc13")]
    [InlineData("logmel32-fast")]
    public void Compact_twiddles_rebuild_every_cosine_and_sine(string preset)
    {
        var config = FrontEndConfig.Preset(preset);
        var tables = new FrontEndTables(config);
        string source = FrontEndTablesWriter.Source(config);
        Assert.True(FrontEndTablesWriter.HasCompactTwiddles(tables));
        Assert.Contains(".compact_twiddles = 1,", source);
        Assert.Contains(".fft_sin = 0,", source);
        float[] stored = ArrayLiterals(source, "fft_cos").Select(ParseHex).ToArray();
        int m = config.FftSize / 2, q = m / 2;
        Assert.Equal(q + 1, stored.Length);
        for (int k = 0; k < m; k++)
        {
            float c = k <= q ? stored[k] : -stored[m - k];
            float s = k == 0 ? 0f : k <= q ? stored[q - k] : stored[k - q];
            Assert.Equal(BitConverter.SingleToUInt32Bits(tables.FftCos[k]), BitConverter.SingleToUInt32Bits(c));
            Assert.Equal(BitConverter.SingleToUInt32Bits(tables.FftSin[k]), BitConverter.SingleToUInt32Bits(s));
        }
    }

    [Fact]
    public void Tables_without_the_symmetries_are_written_in_full()
    {
        var window = new float[] { 0f, 0.5f, 1f, 0.75f };   // w[3] != w[1]
        Assert.False(FrontEndTablesWriter.IsSymmetric(window));
        Assert.True(FrontEndTablesWriter.IsSymmetric(new float[] { 0f, 0.5f, 1f, 0.5f }));
    }

    private static float ParseHex(string literal)
    {
        // "0x1.8p-3f" / "-0x0p+0f": C99 hex float.
        string t = literal.TrimEnd('f');
        bool negative = t.StartsWith('-');
        t = t.TrimStart('-')[2..];
        int p = t.IndexOf('p');
        string mantissa = t[..p];
        int exponent = int.Parse(t[(p + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        int fractionDigits = dot < 0 ? 0 : mantissa.Length - dot - 1;
        double value = (double)ulong.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture) * Math.Pow(2, exponent - 4 * fractionDigits);
        return (float)(negative ? -value : value);
    }

    [Fact]
    public void Log_mel_tables_have_no_dct_and_the_header_sizes_the_buffers()
    {
        var config = FrontEndConfig.Preset("logmel40");
        Assert.Contains(".dct = 0,", FrontEndTablesWriter.Source(config));
        Assert.DoesNotContain("static const float dct[", FrontEndTablesWriter.Source(config));
        string header = FrontEndTablesWriter.Header(config);
        Assert.Contains("#define HARK_FRONTEND_STRIDE 160\n", header);
        Assert.Contains("#define HARK_FRONTEND_FEATURES 40\n", header);
        Assert.Contains($"#define HARK_FRONTEND_TABLES_VERSION {FrontEndTablesWriter.GeneratorVersion}\n", header);
    }

    [Fact]
    public void Write_creates_both_files_and_leaves_no_temporaries()
    {
        string dir = Path.Combine(TestPaths.NewTempDir("tables-writer"), "out");
        FrontEndTablesWriter.Write(FrontEndConfig.Default, dir);
        string[] files = Directory.GetFiles(dir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { FrontEndTablesWriter.SourceFileName, FrontEndTablesWriter.HeaderFileName }, files);
    }

    [Fact]
    public void An_invalid_config_is_refused_with_its_problems() =>
        Assert.Throws<FrontEndConfigException>(() => FrontEndTablesWriter.Header(FrontEndConfig.Default with { FftSize = 300 }));

    private static string[] ArrayLiterals(string source, string name)
    {
        int start = source.IndexOf($" {name}[", StringComparison.Ordinal);
        Assert.True(start >= 0, $"array {name} not found");
        int open = source.IndexOf('{', start), close = source.IndexOf('}', open);
        return source[(open + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Independent reading of the literal: mantissa digits times a power of two, in double (exact for floats).</summary>
    private static float ParseHexFloat(string literal)
    {
        bool negative = literal.StartsWith('-');
        string body = literal.TrimStart('-');
        Assert.StartsWith("0x", body);
        Assert.EndsWith("f", body);
        int p = body.IndexOf('p');
        string mantissa = body[2..p], exponent = body[(p + 1)..^1];
        string[] parts = mantissa.Split('.');
        double value = long.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (parts.Length == 2)
            value += long.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture) / Math.Pow(16, parts[1].Length);
        value = Math.ScaleB(value, int.Parse(exponent, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
        return (float)(negative ? -value : value);
    }
}
