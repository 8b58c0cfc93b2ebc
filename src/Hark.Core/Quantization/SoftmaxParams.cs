namespace Hark.Quantization;

/// <summary>
/// Host-side parameters of the int8 softmax (TFLite reference kernel, output scale 1/256, zero point -128).
/// </summary>
/// <param name="InputMultiplier">Q31 multiplier for beta * input_scale, rescaled to the Q5.26 exp input.</param>
/// <param name="InputLeftShift">Left shift that goes with <paramref name="InputMultiplier"/> (≥ 0).</param>
/// <param name="DiffMin">Input differences from the row maximum below this give probability 0.</param>
public readonly record struct SoftmaxParams(int InputMultiplier, int InputLeftShift, int DiffMin)
{
    /// <summary>Integer bits of the exp() input in TFLite's softmax (Q5.26).</summary>
    public const int ScaledDiffIntegerBits = 5;

    /// <summary>
    /// TFLite's PreprocessSoftmaxScaling and CalculateInputRadius. <paramref name="beta"/> and
    /// <paramref name="inputScale"/> are floats because that is how a .tflite file stores them.
    /// </summary>
    public static SoftmaxParams FromBeta(float beta, float inputScale)
    {
        double real = Math.Min((double)beta * inputScale * (1 << (31 - ScaledDiffIntegerBits)), (1L << 31) - 1.0);
        if (!(real > 1.0))
            throw new ArgumentOutOfRangeException(nameof(inputScale), inputScale,
                "softmax needs beta * input_scale > 2^-26 (TFLite's QuantizeMultiplierGreaterThanOne)");
        QuantizedMultiplier m = QuantMath.QuantizeMultiplier(real);
        double radius = 1.0 * ((1 << ScaledDiffIntegerBits) - 1) * (1L << (31 - ScaledDiffIntegerBits)) / (1L << m.Shift);
        int diffMin = (int)(-1.0 * (int)Math.Floor(radius));
        return new SoftmaxParams(m.Multiplier, m.Shift, diffMin);
    }
}

/// <summary>
/// Parameters of the int8 residual ADD (TFLite int8 ADD): both inputs are rescaled to a common scale with
/// 20 bits of headroom, summed, then rescaled to the output.
/// </summary>
public readonly record struct AddParams(
    int Input1Offset, int Input1Multiplier, int Input1Shift,
    int Input2Offset, int Input2Multiplier, int Input2Shift,
    int OutputOffset, int OutputMultiplier, int OutputShift,
    int LeftShift, int ActivationMin, int ActivationMax)
{
    /// <summary>TFLite's left shift for int8 ADD.</summary>
    public const int Int8LeftShift = 20;

    /// <summary>TFLite's PrepareGeneralSubOp for int8 tensors: the multipliers from the three scales and zero points.</summary>
    public static AddParams FromScales(
        float input1Scale, int input1ZeroPoint, float input2Scale, int input2ZeroPoint,
        float outputScale, int outputZeroPoint, int activationMin = -128, int activationMax = 127)
    {
        double twiceMaxInputScale = 2.0 * Math.Max((double)input1Scale, input2Scale);
        QuantizedMultiplier m1 = QuantMath.QuantizeMultiplier(input1Scale / twiceMaxInputScale);
        QuantizedMultiplier m2 = QuantMath.QuantizeMultiplier(input2Scale / twiceMaxInputScale);
        QuantizedMultiplier mOut = QuantMath.QuantizeMultiplier(twiceMaxInputScale / ((1 << Int8LeftShift) * (double)outputScale));
        return new AddParams(
            -input1ZeroPoint, m1.Multiplier, m1.Shift,
            -input2ZeroPoint, m2.Multiplier, m2.Shift,
            outputZeroPoint, mOut.Multiplier, mOut.Shift,
            Int8LeftShift, activationMin, activationMax);
    }
}
