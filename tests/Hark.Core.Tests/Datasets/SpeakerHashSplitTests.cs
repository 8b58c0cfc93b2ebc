using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Hark.Datasets;

namespace Hark.Tests.Datasets;

public class SpeakerHashSplitTests
{
    // Reference values from the Speech Commands README's Python, run with CPython's hashlib:
    // (int(hashlib.sha1(name.encode()).hexdigest(), 16) % (2**27 - 1 + 1)) * (100.0 / (2**27 - 1))
    [Theory]
    [InlineData("03401e93", 17.643682045069948)]
    [InlineData("0bac8a71", 11.732665536796045)]
    [InlineData("speaker-a", 66.50124614314173)]
    public void PercentageHash_matches_the_reference_python(string speaker, double expected) =>
        Assert.Equal(expected, SpeakerHashSplit.PercentageHash(speaker), 12);

    [Fact]
    public void PercentageHash_equals_the_full_160_bit_modulus_for_any_name()
    {
        Gen.String.Sample(name =>
        {
            byte[] digest = SHA1.HashData(Encoding.UTF8.GetBytes(name));
            var whole = BigInteger.Parse("0" + Convert.ToHexString(digest), NumberStyles.HexNumber);
            var remainder = (double)(whole % (SpeakerHashSplit.MaxNumWavsPerClass + BigInteger.One));
            double expected = remainder * (100.0 / SpeakerHashSplit.MaxNumWavsPerClass);
            return SpeakerHashSplit.PercentageHash(name) == expected;
        }, iter: 2000);
    }

    [Fact]
    public void Assign_follows_the_percentage_thresholds()
    {
        var options = new SplitOptions(ValidationPercent: 30, TestPercent: 20);
        for (int i = 0; i < 500; i++)
        {
            string speaker = $"spk{i}";
            double p = SpeakerHashSplit.PercentageHash(speaker);
            var expected = p < 30 ? Split.Validation : p < 50 ? Split.Test : Split.Train;
            Assert.Equal(expected, SpeakerHashSplit.Assign(speaker, options));
        }
    }

    [Fact]
    public void Split_shares_are_close_to_the_percentages()
    {
        var counts = Enumerable.Range(0, 20000)
            .GroupBy(i => SpeakerHashSplit.Assign($"speaker{i}", SplitOptions.Default))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(counts[Split.Validation], 1800, 2200);
        Assert.InRange(counts[Split.Test], 1800, 2200);
    }

    [Fact]
    public void A_salt_gives_a_different_partition()
    {
        var salted = SplitOptions.Default with { Salt = "x/" };
        int differ = Enumerable.Range(0, 1000)
            .Count(i => SpeakerHashSplit.Assign($"s{i}", salted) != SpeakerHashSplit.Assign($"s{i}", SplitOptions.Default));
        Assert.InRange(differ, 200, 500);
    }

    [Theory]
    [InlineData("03401e93_nohash_0.wav", "03401e93")]
    [InlineData("/a/b/yes/ab_cd_nohash_12.WAV", "ab_cd")]
    [InlineData("1037.wav", null)]
    [InlineData("_nohash_0.wav", null)]
    public void Speaker_comes_from_the_nohash_name(string file, string? speaker) =>
        Assert.Equal(speaker, SpeakerNames.Parse(file));

    [Fact]
    public void A_file_without_speaker_hashes_its_whole_name() =>
        Assert.Equal("1037.wav", SpeakerNames.HashName("/x/_silence_/1037.wav"));
}
