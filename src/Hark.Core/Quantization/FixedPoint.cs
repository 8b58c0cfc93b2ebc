using System.Runtime.CompilerServices;

namespace Hark.Quantization;

/// <summary>
/// The pieces of gemmlowp's fixedpoint.h that TFLite's int8 softmax uses, on raw int32 values.
/// A value "with k integer bits" is raw / 2^(31-k). Operation order and constants follow gemmlowp exactly,
/// because the softmax must equal TFLite's reference kernel bit for bit.
/// </summary>
internal static class FixedPoint
{
    /// <summary>gemmlowp SaturatingRoundingMultiplyByPOT: exponent &gt; 0 saturating left shift, &lt; 0 rounding right shift.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingRoundingMultiplyByPOT(int x, int exponent)
    {
        if (exponent == 0) return x;
        if (exponent < 0) return QuantMath.RoundingDivideByPOT(x, -exponent);
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) return int.MaxValue;
        if (x < -threshold) return int.MinValue;
        return x << exponent;
    }

    /// <summary>gemmlowp Rescale: the same real value, re-expressed with another number of integer bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Rescale(int x, int srcIntegerBits, int dstIntegerBits) =>
        SaturatingRoundingMultiplyByPOT(x, srcIntegerBits - dstIntegerBits);

    /// <summary>gemmlowp RoundingHalfSum for int32: (a + b) / 2 rounded half away from zero.</summary>
    public static int RoundingHalfSum(int a, int b)
    {
        long sum = (long)a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int)((sum + sign) / 2);
    }

    private static int Mul(int a, int b) => QuantMath.SaturatingRoundingDoublingHighMul(a, b);

    /// <summary>exp(a) for a in [-1/4, 0), both with 0 integer bits (Taylor expansion around -1/8).</summary>
    public static int ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a)
    {
        const int constantTerm = 1895147668; // exp(-1/8)
        const int constantOneThird = 715827883;
        int x = a + (1 << 28); // + 1/8
        int x2 = Mul(x, x);
        int x3 = Mul(x2, x);
        int x4 = Mul(x2, x2);
        int x4Over4 = SaturatingRoundingMultiplyByPOT(x4, -2);
        int poly = SaturatingRoundingMultiplyByPOT(Mul(x4Over4 + x3, constantOneThird) + x2, -1);
        return constantTerm + Mul(constantTerm, x + poly);
    }

    /// <summary>exp(a) for a &lt;= 0 given with <paramref name="integerBits"/> integer bits; the result has 0 integer bits.</summary>
    public static int ExpOnNegativeValues(int a, int integerBits)
    {
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int mask = oneQuarter - 1;
        int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
        int result = ExpOnIntervalBetweenNegativeOneQuarterAnd0Excl(Rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;

        // Barrel shifter: multiply by exp(-2^k) for every bit k of the whole-quarters part.
        ReadOnlySpan<int> multipliers = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];
        for (int i = 0; i < multipliers.Length; i++)
        {
            int exponent = i - 2;
            if (integerBits > exponent && (remainder & (1 << (fractionalBits + exponent))) != 0)
                result = Mul(result, multipliers[i]);
        }

        if (integerBits > 5)
        {
            int clamp = -(1 << (36 - integerBits)); // -32.0
            if (a < clamp) result = 0;
        }
        return a == 0 ? int.MaxValue : result;
    }

    /// <summary>1 / (1 + a) for a in [0, 1), 0 integer bits in and out (Newton-Raphson, 3 iterations).</summary>
    public static int OneOverOnePlusXForXIn01(int a)
    {
        const int constant48Over17 = 1515870810;      // 2 integer bits
        const int constantNeg32Over17 = -1010580540;  // 2 integer bits
        const int oneF2 = 1 << 29;
        int halfDenominator = RoundingHalfSum(a, int.MaxValue);
        int x = constant48Over17 + Mul(halfDenominator, constantNeg32Over17);
        for (int i = 0; i < 3; i++)
        {
            int halfDenominatorTimesX = Mul(halfDenominator, x);
            int oneMinusHalfDenominatorTimesX = oneF2 - halfDenominatorTimesX;
            x += Rescale(Mul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }
        // ExactMulByPot<-1> reinterprets x with 1 integer bit, then Rescale<0>.
        return Rescale(x, 1, 0);
    }

    /// <summary>TFLite GetReciprocal: 1/x as a Q0.31 value scaled by 2^-numBitsOverUnit.</summary>
    public static int GetReciprocal(int x, int xIntegerDigits, out int numBitsOverUnit)
    {
        int headroomPlusOne = System.Numerics.BitOperations.LeadingZeroCount((uint)x);
        numBitsOverUnit = xIntegerDigits - headroomPlusOne;
        int shiftedSumMinusOne = unchecked((int)(((uint)x << headroomPlusOne) - (1u << 31)));
        return OneOverOnePlusXForXIn01(shiftedSumMinusOne);
    }
}
