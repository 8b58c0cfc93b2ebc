using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Hark.Quantization;

/// <summary>
/// The integer requantization rules shared by the C# engine and the C runtime (runtime/c/hark_nn.h), bit for bit.
/// They follow TFLite / TFLite Micro with the default "double rounding" (gemmlowp) requantization.
/// </summary>
/// <remarks>
/// <para><b>Sign conventions (used by every kernel).</b> A tensor value is <c>real = scale * (q - zero_point)</c>.
/// Kernels receive <c>input_offset = -input_zero_point</c> (added to each input value before multiplying) and
/// <c>output_offset = +output_zero_point</c> (added after requantizing), exactly as TFLM's params do.
/// Weights are symmetric (zero point 0) unless a filter offset is passed explicitly.</para>
/// <para><b>Shift convention.</b> A multiplier is <c>(multiplier, shift)</c> with
/// <c>real ~= multiplier * 2^(shift - 31)</c>: positive shifts are left shifts.</para>
/// <para>All integer arithmetic wraps (C# unchecked); the C side performs the same operations on unsigned
/// values where plain C would be undefined, so both agree even on pathological inputs.</para>
/// </remarks>
public static class QuantMath
{
    /// <summary>
    /// TFLite's QuantizeMultiplier: <c>real = q * 2^shift</c> with q in [0.5, 1) from frexp, q rounded to Q31.
    /// A q that rounds to exactly 2^31 is halved and the shift incremented; shifts below -31 flush to (0, 0).
    /// </summary>
    public static QuantizedMultiplier QuantizeMultiplier(double real)
    {
        if (real == 0.0) return new QuantizedMultiplier(0, 0);
        if (!double.IsFinite(real)) ThrowNotFinite(real);
        (double q, int shift) = FrExp(real);
        // TfLiteRound is std::round: half away from zero.
        long qFixed = (long)Math.Round(q * (1L << 31), MidpointRounding.AwayFromZero);
        if (qFixed == 1L << 31)
        {
            qFixed /= 2;
            shift++;
        }
        if (shift < -31)
        {
            shift = 0;
            qFixed = 0;
        }
        if (shift > 31) ThrowTooLarge(real);
        return new QuantizedMultiplier((int)qFixed, shift);
    }

    /// <summary>C's frexp: <c>x = mantissa * 2^exponent</c>, |mantissa| in [0.5, 1).</summary>
    internal static (double Mantissa, int Exponent) FrExp(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int biased = (int)((bits >> 52) & 0x7FF);
        if (biased == 0)
        {
            // Subnormal: scale into the normal range first so the exponent field is meaningful.
            (double m, int e) = FrExp(x * 18446744073709551616.0);
            return (m, e - 64);
        }
        int exponent = biased - 1022;
        long mantissaBits = (bits & unchecked((long)0x800FFFFFFFFFFFFFUL)) | (1022L << 52);
        return (BitConverter.Int64BitsToDouble(mantissaBits), exponent);
    }

    /// <summary>gemmlowp's SaturatingRoundingDoublingHighMul (ARM VQRDMULH): round(a*b / 2^31), saturating MIN*MIN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SaturatingRoundingDoublingHighMul(int a, int b)
    {
        if (a == b && a == int.MinValue) return int.MaxValue;
        long ab = (long)a * b;
        // gemmlowp divides (ab + nudge) by 2^31 truncating towards zero; for both signs that equals this floor shift.
        return (int)((ab + (1L << 30)) >> 31);
    }

    /// <summary>gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero. exponent in [0, 31].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RoundingDivideByPOT(int x, int exponent)
    {
        int mask = (int)((1L << exponent) - 1);
        int remainder = x & mask;
        int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
        return (x >> exponent) + (remainder > threshold ? 1 : 0);
    }

    /// <summary>
    /// TFLM's default (double rounding) MultiplyByQuantizedMultiplier:
    /// <c>RoundingDivideByPOT(SRDHM(x * 2^max(shift,0), multiplier), max(-shift,0))</c>. The left shift wraps like C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplier(int x, int multiplier, int shift)
    {
        int leftShift = shift > 0 ? shift : 0;
        int rightShift = shift > 0 ? 0 : -shift;
        return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier), rightShift);
    }

    /// <summary>TFLite's MultiplyByQuantizedMultiplierGreaterThanOne (shift ≥ 0, no final rounding shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) =>
        SaturatingRoundingDoublingHighMul(unchecked(x * (1 << leftShift)), multiplier);

    [DoesNotReturn]
    private static void ThrowNotFinite(double real) =>
        throw new ArgumentOutOfRangeException(nameof(real), real, "a quantized multiplier needs a finite real value");

    [DoesNotReturn]
    private static void ThrowTooLarge(double real) =>
        throw new ArgumentOutOfRangeException(nameof(real), real, "multiplier too large for a Q31 value with shift <= 31");
}

/// <summary>A real multiplier as TFLite stores it: Q31 <see cref="Multiplier"/> and a left <see cref="Shift"/> (negative = right).</summary>
public readonly record struct QuantizedMultiplier(int Multiplier, int Shift)
{
    public static QuantizedMultiplier FromReal(double real) => QuantMath.QuantizeMultiplier(real);

    /// <summary>The real value this pair stands for (for diagnostics and tests).</summary>
    public double ToReal() => Multiplier * Math.Pow(2.0, Shift - 31);
}
