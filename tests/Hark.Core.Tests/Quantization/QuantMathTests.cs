using CsCheck;
using Hark.Quantization;

namespace Hark.Tests.Quantization;

/// <summary>QuantMath against TFLite's documented values and against the literal gemmlowp formulas.</summary>
public class QuantMathTests
{
    [Theory]
    [InlineData(0.5, 1 << 30, 0)]
    [InlineData(1.0, 1 << 30, 1)]
    [InlineData(0.25, 1 << 30, -1)]
    [InlineData(0.75, 1610612736, 0)]
    [InlineData(1.0 / 255, 1077952576, -7)]    // frexp = 0.50196 * 2^-7
    [InlineData(-0.5, -(1 << 30), 0)]
    [InlineData(0.0, 0, 0)]
    [InlineData(9.094947017729282e-13, 0, 0)]  // 2^-40: shift -39 < -31 flushes to zero
    public void QuantizeMultiplier_matches_TFLite(double real, int multiplier, int shift) =>
        Assert.Equal(new QuantizedMultiplier(multiplier, shift), QuantMath.QuantizeMultiplier(real));

    [Fact]
    public void QuantizeMultiplier_halves_a_mantissa_that_rounds_to_two_to_the_31()
    {
        // 1 - 2^-33 has frexp mantissa 1 - 2^-33 (exponent 0); times 2^31 it is 2^31 - 0.25, which rounds to 2^31.
        double real = 1.0 - Math.Pow(2, -33);
        Assert.Equal(new QuantizedMultiplier(1 << 30, 1), QuantMath.QuantizeMultiplier(real));
    }

    [Fact]
    public void QuantizeMultiplier_represents_the_real_value_to_31_bits() =>
        Gen.Double[1e-9, 1e6].Sample(real =>
        {
            QuantizedMultiplier m = QuantMath.QuantizeMultiplier(real);
            Assert.InRange(m.Multiplier, 1 << 30, int.MaxValue);
            Assert.InRange(Math.Abs(m.ToReal() / real - 1), 0, Math.Pow(2, -30));
        });

    [Fact]
    public void QuantizeMultiplier_rejects_non_finite() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => QuantMath.QuantizeMultiplier(double.NaN));

    [Fact]
    public void SRDHM_saturates_min_times_min() =>
        Assert.Equal(int.MaxValue, QuantMath.SaturatingRoundingDoublingHighMul(int.MinValue, int.MinValue));

    [Theory]
    [InlineData(int.MinValue, int.MaxValue, -2147483647)]
    [InlineData(100, 1 << 30, 50)]
    [InlineData(-3, 1 << 30, -1)]    // -1.5: gemmlowp's nudge rounds this tie towards +inf
    [InlineData(3, 1 << 30, 2)]
    public void SRDHM_known_values(int a, int b, int expected) =>
        Assert.Equal(expected, QuantMath.SaturatingRoundingDoublingHighMul(a, b));

    /// <summary>gemmlowp's own formula: (ab + nudge) / 2^31, truncating division, nudge depending on the sign.</summary>
    private static int SrdhmGemmlowp(int a, int b)
    {
        if (a == b && a == int.MinValue) return int.MaxValue;
        long ab = (long)a * b;
        long nudge = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
        return (int)((ab + nudge) / (1L << 31));
    }

    [Fact]
    public void SRDHM_equals_the_literal_gemmlowp_formula() =>
        Gen.Select(Gen.Int, Gen.Int).Sample((a, b) => Assert.Equal(SrdhmGemmlowp(a, b), QuantMath.SaturatingRoundingDoublingHighMul(a, b)),
            iter: 20000);

    [Theory]
    [InlineData(5, 1, 3)]
    [InlineData(-5, 1, -3)]   // -2.5 rounds away from zero
    [InlineData(-4, 1, -2)]
    [InlineData(-6, 2, -2)]   // -1.5
    [InlineData(-7, 2, -2)]   // -1.75
    [InlineData(-5, 2, -1)]   // -1.25
    [InlineData(int.MaxValue, 1, 1 << 30)]
    [InlineData(int.MinValue, 31, -1)]
    [InlineData(12345, 0, 12345)]
    public void RoundingDivideByPOT_rounds_half_away_from_zero(int x, int exponent, int expected) =>
        Assert.Equal(expected, QuantMath.RoundingDivideByPOT(x, exponent));

    [Fact]
    public void RoundingDivideByPOT_equals_exact_rounding() =>
        Gen.Select(Gen.Int, Gen.Int[0, 31]).Sample((x, e) =>
            Assert.Equal((int)Math.Round(x / Math.Pow(2, e), MidpointRounding.AwayFromZero), QuantMath.RoundingDivideByPOT(x, e)),
            iter: 20000);

    [Theory]
    [InlineData(5, 1 << 30, -1, 2)]   // 5 * 0.25: SRDHM gives 3, then 3 / 2 -> 2 (double rounding, not 1)
    [InlineData(-5, 1 << 30, -1, -1)]
    [InlineData(-5, 1 << 30, 1, -5)]  // multiplier 1.0 is exact
    [InlineData(1000, 1 << 30, 3, 4000)]
    public void MultiplyByQuantizedMultiplier_known_values(int x, int m, int shift, int expected) =>
        Assert.Equal(expected, QuantMath.MultiplyByQuantizedMultiplier(x, m, shift));

    [Fact]
    public void MultiplyByQuantizedMultiplier_is_within_one_of_the_real_product() =>
        Gen.Select(Gen.Int[-1_000_000, 1_000_000], Gen.Double[1e-4, 4.0]).Sample((x, real) =>
        {
            QuantizedMultiplier m = QuantMath.QuantizeMultiplier(real);
            int got = QuantMath.MultiplyByQuantizedMultiplier(x, m.Multiplier, m.Shift);
            Assert.InRange(got - x * m.ToReal(), -1.0, 1.0);
        });

    [Fact]
    public void Softmax_params_follow_PreprocessSoftmaxScaling()
    {
        // beta * scale * 2^26 = 2^22 -> (1<<30, 23); radius = floor(31 * 2^26 / 2^23) = 248.
        Assert.Equal(new SoftmaxParams(1 << 30, 23, -248), SoftmaxParams.FromBeta(1f, 1f / 16));
    }

    [Fact]
    public void Add_params_follow_TFLite_int8_add()
    {
        AddParams p = AddParams.FromScales(0.5f, 3, 0.25f, -2, 0.5f, 7);
        Assert.Equal((-3, -(-2), 7, 20), (p.Input1Offset, p.Input2Offset, p.OutputOffset, p.LeftShift));
        // input1: 0.5 / 1.0 = 0.5; input2: 0.25 / 1.0 = 0.25; output: 1.0 / (2^20 * 0.5) = 2^-19.
        Assert.Equal((1 << 30, 0), (p.Input1Multiplier, p.Input1Shift));
        Assert.Equal((1 << 30, -1), (p.Input2Multiplier, p.Input2Shift));
        Assert.Equal((1 << 30, -18), (p.OutputMultiplier, p.OutputShift));
    }
}
