namespace Hark.Export.Tflite;

/// <summary>
/// The parts of TFLite's schema (tensorflow/lite/schema/schema.fbs, file identifier "TFL3") this exporter writes:
/// enum values and table field slots, numbered in declaration order as flatc numbers them.
/// A union field takes two slots: its type (the slot given) and its value (the next one).
/// </summary>
internal static class TfliteSchema
{
    public const string FileIdentifier = "TFL3";
    public const int SchemaVersion = 3;

    public enum TensorType : sbyte { Int32 = 2, Int8 = 9 }

    public enum Padding : sbyte { Same = 0, Valid = 1 }

    public enum Activation : sbyte { None = 0, Relu = 1, Relu6 = 3 }

    public enum BuiltinOperator
    {
        Add = 0, AveragePool2D = 1, Conv2D = 3, DepthwiseConv2D = 4, FullyConnected = 9, MaxPool2D = 17,
        Reshape = 22, Softmax = 25, Pad = 34,
    }

    /// <summary>Indices of the BuiltinOptions union (0 is NONE).</summary>
    public enum BuiltinOptions : byte
    {
        None = 0, Conv2DOptions = 1, DepthwiseConv2DOptions = 2, Pool2DOptions = 5, FullyConnectedOptions = 8,
        SoftmaxOptions = 9, AddOptions = 11, ReshapeOptions = 17, PadOptions = 22,
    }

    public static class Model
    {
        public const int Count = 7, Version = 0, OperatorCodes = 1, Subgraphs = 2, Description = 3, Buffers = 4, Metadata = 6;
    }

    public static class OperatorCode
    {
        public const int Count = 4, DeprecatedBuiltinCode = 0, Version = 2, BuiltinCode = 3;
    }

    public static class SubGraph
    {
        public const int Count = 5, Tensors = 0, Inputs = 1, Outputs = 2, Operators = 3;
    }

    public static class Tensor
    {
        public const int Count = 5, Shape = 0, Type = 1, Buffer = 2, Name = 3, Quantization = 4;
    }

    public static class QuantizationFields
    {
        public const int Count = 7, Scale = 2, ZeroPoint = 3, QuantizedDimension = 6;
    }

    public static class Operator
    {
        public const int Count = 5, OpcodeIndex = 0, Inputs = 1, Outputs = 2, BuiltinOptionsType = 3, BuiltinOptions = 4;
    }

    public static class BufferFields
    {
        public const int Count = 1, Data = 0;
        /// <summary>schema.fbs declares Buffer.data with force_align: 16.</summary>
        public const int DataAlignment = 16;
    }

    public static class Metadata
    {
        public const int Count = 2, Name = 0, Buffer = 1;
    }

    /// <summary>Conv2DOptions and DepthwiseConv2DOptions share the first three slots; Pool2DOptions too.</summary>
    public static class WindowOptions
    {
        public const int Padding = 0, StrideW = 1, StrideH = 2;
        public const int ConvCount = 4, ConvActivation = 3;
        public const int DepthwiseCount = 5, DepthMultiplier = 3, DepthwiseActivation = 4;
        public const int PoolCount = 6, FilterWidth = 3, FilterHeight = 4, PoolActivation = 5;
    }

    public static class FullyConnectedOptions
    {
        public const int Count = 1, Activation = 0;
    }

    public static class SoftmaxOptions
    {
        public const int Count = 1, Beta = 0;
    }

    public static class AddOptions
    {
        public const int Count = 1, Activation = 0;
    }

    public static class ReshapeOptions
    {
        public const int Count = 1, NewShape = 0;
    }
}
