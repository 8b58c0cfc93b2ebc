using System.Text;
using Google.FlatBuffers;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Quantization;
using static Hark.Export.Tflite.TfliteSchema;
using Padding = Hark.Export.Tflite.TfliteSchema.Padding;

namespace Hark.Export.Tflite;

/// <summary>
/// Writes a <see cref="QuantizedGraph"/> as a fully int8 <c>.tflite</c> flatbuffer that TFLite and TFLite Micro run
/// with the same results as <see cref="Int8Engine"/>.
/// </summary>
/// <remarks>
/// <para>One subgraph, ops in graph order, using only CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D,
/// MAX_POOL_2D, ADD, RESHAPE, SOFTMAX and (for explicit paddings that are neither SAME nor VALID) PAD, all of which
/// TFLite Micro implements. Input int8 <c>[1, frames, features, 1]</c>; output int8 <c>[1, classes]</c> with scale
/// 1/256 and zero point -128.</para>
/// <para>Weights are per-channel symmetric int8 (quantized_dimension 0 for OHWI conv filters, 3 for 1HWC depthwise
/// filters; fully connected per tensor), biases int32 with scale <c>input_scale * weight_scale[c]</c>.
/// Labels are stored in the model's metadata as an entry named <see cref="LabelsMetadataName"/> whose buffer is
/// the UTF-8 labels, one per line, in output order. The TFLite Support "TFLITE_METADATA" flatbuffer is not written.</para>
/// <para>Nothing is stored twice: identical zero-point vectors are shared, there are no float weights, no unused
/// buffers and no signature defs.</para>
/// </remarks>
public static class TfliteExporter
{
    /// <summary>Name of the metadata entry holding the newline-separated labels.</summary>
    public const string LabelsMetadataName = "labels";

    /// <summary>The model's <c>description</c> field.</summary>
    public const string Description = "Hark keyword spotter";

    /// <summary>The .tflite bytes of a packaged model (its graph and labels).</summary>
    public static byte[] ToBytes(ModelPackage package) => ToBytes(package.Graph, package.Labels);

    /// <summary>The .tflite bytes of <paramref name="graph"/> with <paramref name="labels"/> in its metadata.</summary>
    /// <exception cref="ArgumentException">The graph is inconsistent or its outputs do not match the labels.</exception>
    /// <exception cref="HarkException">The graph uses something TFLite cannot express exactly (the message says what).</exception>
    public static byte[] ToBytes(QuantizedGraph graph, IReadOnlyList<string> labels) => ToBytes(graph, labels, biasQuantization: true);

    /// <summary>
    /// <paramref name="biasQuantization"/> false leaves out the bias tensors' quantization, which TFLite's and TFLite
    /// Micro's builtin int8 kernels never read but desktop TFLite's XNNPACK delegate requires: without it XNNPACK
    /// declines the ops and TFLite's builtin kernels run. Tests use it; exported files always keep it.
    /// </summary>
    internal static byte[] ToBytes(QuantizedGraph graph, IReadOnlyList<string> labels, bool biasQuantization)
    {
        var problems = GraphValidation.Problems(graph);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(graph));
        if (labels.Count != graph.OutputShape.FlatSize)
            throw new ArgumentException($"the graph has {graph.OutputShape.FlatSize} outputs but there are {labels.Count} labels", nameof(labels));
        if (labels.Any(l => string.IsNullOrEmpty(l) || l.Contains('\n')))
            throw new ArgumentException("labels must be non-empty single lines", nameof(labels));
        return new ModelWriter(graph, labels, biasQuantization).Serialize();
    }

    /// <summary>Writes the .tflite beside <paramref name="path"/> and renames it into place (never half-written).</summary>
    public static void Write(ModelPackage package, string path) => Write(package.Graph, package.Labels, path);

    /// <inheritdoc cref="Write(ModelPackage, string)"/>
    public static void Write(QuantizedGraph graph, IReadOnlyList<string> labels, string path)
    {
        byte[] bytes = ToBytes(graph, labels);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Writes the .tflite bytes to <paramref name="stream"/>.</summary>
    public static void Write(ModelPackage package, Stream stream) => stream.Write(ToBytes(package));

    private sealed record TensorEntry(string Name, int[] Shape, TensorType Type, int Buffer, float[] Scales, int QuantizedDimension)
    {
        public long[] ZeroPoints { get; init; } = [];
    }

    private sealed record OperatorEntry(BuiltinOperator Code, int[] Inputs, int[] Outputs, BuiltinOptions OptionsType, Func<FlatBufferBuilder, int> Options);

    /// <summary>Collects tensors, buffers and operators in TFLite's terms, then serializes them.</summary>
    private sealed class ModelWriter
    {
        private readonly QuantizedGraph _graph;
        private readonly IReadOnlyList<string> _labels;
        private readonly List<TensorEntry> _tensors = [];
        private readonly List<byte[]> _buffers = [[]];
        private readonly List<OperatorEntry> _operators = [];
        private readonly bool _biasQuantization;

        public ModelWriter(QuantizedGraph graph, IReadOnlyList<string> labels, bool biasQuantization)
        {
            _graph = graph;
            _biasQuantization = biasQuantization;
            _labels = labels;
            // Activation tensors keep their graph indices; constants and PAD outputs follow.
            var producers = new GraphOp<Int8Params>?[graph.Tensors.Count];
            foreach (var op in graph.Ops) producers[op.Spec.Output] = op;
            for (int t = 0; t < graph.Tensors.Count; t++)
            {
                var tensor = graph.Tensors[t];
                var q = tensor.Quantization!.Value;
                int[] shape = producers[t]?.Spec.Kind is OpKind.FullyConnected || IsSoftmaxOfFullyConnected(producers, t)
                    ? [tensor.Shape.N, tensor.Shape.H * tensor.Shape.W * tensor.Shape.C]
                    : ShapeOf(tensor.Shape);
                _tensors.Add(new TensorEntry(tensor.Name, shape, TensorType.Int8, 0, [q.Scale], 0) { ZeroPoints = [q.ZeroPoint] });
            }
            foreach (var op in graph.Ops) AddOperator(op, producers);
        }

        /// <summary>FULLY_CONNECTED outputs [batch, units]; a softmax over it keeps that shape.</summary>
        private static bool IsSoftmaxOfFullyConnected(GraphOp<Int8Params>?[] producers, int tensor) =>
            producers[tensor] is { Spec.Kind: OpKind.Softmax } softmax && producers[softmax.Spec.Inputs[0]]?.Spec.Kind == OpKind.FullyConnected;

        private static int[] ShapeOf(Dims d) => [d.N, d.H, d.W, d.C];

        private void AddOperator(GraphOp<Int8Params> op, GraphOp<Int8Params>?[] producers)
        {
            OpSpec s = op.Spec;
            var input = _graph.Tensors[s.Inputs[0]];
            Activation activation = ActivationOf(s.Activation);
            switch (s.Kind)
            {
                case OpKind.Conv2D:
                case OpKind.DepthwiseConv2D:
                {
                    bool depthwise = s.Kind == OpKind.DepthwiseConv2D;
                    var (padding, source) = WindowInput(s, producers, padWithZeroPoint: true);
                    int[] inputs = [source, .. WeightAndBias(op, input)];
                    if (depthwise)
                        Add(BuiltinOperator.DepthwiseConv2D, inputs, s.Output, BuiltinOptions.DepthwiseConv2DOptions, b =>
                        {
                            b.StartTable(WindowOptions.DepthwiseCount);
                            AddWindow(b, padding, s);
                            b.AddInt(WindowOptions.DepthMultiplier, 1, 0);
                            b.AddSbyte(WindowOptions.DepthwiseActivation, (sbyte)activation, 0);
                            return b.EndTable();
                        });
                    else
                        Add(BuiltinOperator.Conv2D, inputs, s.Output, BuiltinOptions.Conv2DOptions, b =>
                        {
                            b.StartTable(WindowOptions.ConvCount);
                            AddWindow(b, padding, s);
                            b.AddSbyte(WindowOptions.ConvActivation, (sbyte)activation, 0);
                            return b.EndTable();
                        });
                    break;
                }
                case OpKind.FullyConnected:
                    Add(BuiltinOperator.FullyConnected, [s.Inputs[0], .. WeightAndBias(op, input)], s.Output, BuiltinOptions.FullyConnectedOptions, b =>
                    {
                        b.StartTable(FullyConnectedOptions.Count);
                        b.AddSbyte(FullyConnectedOptions.Activation, (sbyte)activation, 0);
                        return b.EndTable();
                    });
                    break;
                case OpKind.AveragePool2D:
                case OpKind.MaxPool2D:
                {
                    // AVERAGE_POOL_2D divides by the positions inside the input, which a PAD op would change; MAX_POOL_2D
                    // may use PAD only where padding with the zero point cannot win (see WindowInput).
                    var (padding, source) = WindowInput(s, producers, padWithZeroPoint: s.Kind == OpKind.MaxPool2D);
                    var code = s.Kind == OpKind.AveragePool2D ? BuiltinOperator.AveragePool2D : BuiltinOperator.MaxPool2D;
                    Add(code, [source], s.Output, BuiltinOptions.Pool2DOptions, b =>
                    {
                        b.StartTable(WindowOptions.PoolCount);
                        AddWindow(b, padding, s);
                        b.AddInt(WindowOptions.FilterWidth, s.Kernel.W, 0);
                        b.AddInt(WindowOptions.FilterHeight, s.Kernel.H, 0);
                        b.AddSbyte(WindowOptions.PoolActivation, (sbyte)activation, 0);
                        return b.EndTable();
                    });
                    break;
                }
                case OpKind.Add:
                    Add(BuiltinOperator.Add, [s.Inputs[0], s.Inputs[1]], s.Output, BuiltinOptions.AddOptions, b =>
                    {
                        b.StartTable(AddOptions.Count);
                        b.AddSbyte(AddOptions.Activation, (sbyte)activation, 0);
                        return b.EndTable();
                    });
                    break;
                case OpKind.Reshape:
                    int[] newShape = _tensors[s.Output].Shape;
                    Add(BuiltinOperator.Reshape, [s.Inputs[0]], s.Output, BuiltinOptions.ReshapeOptions, b =>
                    {
                        var shapeVector = IntVector(b, newShape);
                        b.StartTable(ReshapeOptions.Count);
                        b.AddOffset(ReshapeOptions.NewShape, shapeVector.Value, 0);
                        return b.EndTable();
                    });
                    break;
                case OpKind.Softmax:
                    Add(BuiltinOperator.Softmax, [s.Inputs[0]], s.Output, BuiltinOptions.SoftmaxOptions, b =>
                    {
                        b.StartTable(SoftmaxOptions.Count);
                        b.AddFloat(SoftmaxOptions.Beta, 1f, 0f);
                        return b.EndTable();
                    });
                    break;
                default:
                    throw new HarkException($"op {s.Kind} has no TFLite equivalent in this exporter");
            }
        }

        private static Activation ActivationOf(FusedActivation a) => a switch
        {
            FusedActivation.Relu => Activation.Relu,
            FusedActivation.Relu6 => Activation.Relu6,
            _ => Activation.None,
        };

        private static void AddWindow(FlatBufferBuilder b, Padding padding, OpSpec s)
        {
            b.AddSbyte(WindowOptions.Padding, (sbyte)padding, (sbyte)Padding.Same);
            b.AddInt(WindowOptions.StrideW, s.StrideW, 0);
            b.AddInt(WindowOptions.StrideH, s.StrideH, 0);
        }

        /// <summary>
        /// The TFLite padding mode that reproduces the op's explicit padding, and the tensor the op should read.
        /// TFLite's SAME pads (total / 2) before; when neither SAME nor VALID fits, an explicit PAD op (int8 PAD fills
        /// with the zero point, i.e. real 0) feeds a VALID op.
        /// </summary>
        private (Padding Padding, int Source) WindowInput(OpSpec s, GraphOp<Int8Params>?[] producers, bool padWithZeroPoint)
        {
            Dims input = _graph.Tensors[s.Inputs[0]].Shape, output = _graph.Tensors[s.Output].Shape;
            Engine.Padding p = s.Padding;
            if (p == default) return (Padding.Valid, s.Inputs[0]);
            if (SameFits(input.H, output.H, s.Kernel.H, s.StrideH, p.Top) && SameFits(input.W, output.W, s.Kernel.W, s.StrideW, p.Left))
                return (Padding.Same, s.Inputs[0]);
            string where = $"{s.Kind} writing tensor '{_graph.Tensors[s.Output].Name}'";
            if (!padWithZeroPoint)
                throw new HarkException($"{where}: padding {p} is neither TFLite SAME nor VALID, and a PAD op would change the average");
            if (s.Kind == OpKind.MaxPool2D && !NeverBelowZeroPoint(s.Inputs[0], producers))
                throw new HarkException($"{where}: padding {p} is neither TFLite SAME nor VALID, and padding with zero could change the maximum");

            var q = _graph.Tensors[s.Inputs[0]].Quantization!.Value;
            int paddings = AddConstant($"{_graph.Tensors[s.Output].Name}/paddings", [4, 2], TensorType.Int32,
                Int32Bytes([0, 0, p.Top, p.Bottom, p.Left, p.Right, 0, 0]), null, 0);
            int padded = _tensors.Count;
            _tensors.Add(new TensorEntry($"{_graph.Tensors[s.Output].Name}/padded",
                [input.N, input.H + p.Top + p.Bottom, input.W + p.Left + p.Right, input.C], TensorType.Int8, 0, [q.Scale], 0)
                { ZeroPoints = [q.ZeroPoint] });
            Add(BuiltinOperator.Pad, [s.Inputs[0], paddings], padded, BuiltinOptions.PadOptions, b =>
            {
                b.StartTable(0);
                return b.EndTable();
            });
            return (Padding.Valid, padded);
        }

        private static bool SameFits(int input, int output, int kernel, int stride, int before)
        {
            int expected = (input + stride - 1) / stride;
            int total = Math.Max((expected - 1) * stride + kernel - input, 0);
            return output == expected && before == total / 2;
        }

        /// <summary>Whether a tensor's producer clamps at or above its zero point (fused ReLU/ReLU6), so real 0 is its minimum.</summary>
        private bool NeverBelowZeroPoint(int tensor, GraphOp<Int8Params>?[] producers)
        {
            var q = _graph.Tensors[tensor].Quantization!.Value;
            return producers[tensor] is { } producer && Quantizer.ActivationRange(producer.Spec.Activation, q).Min >= q.ZeroPoint;
        }

        /// <summary>Adds the op's int8 weight and int32 bias tensors; returns their indices.</summary>
        private int[] WeightAndBias(GraphOp<Int8Params> op, GraphTensor input)
        {
            OpSpec s = op.Spec;
            Int8Params p = op.Params!;
            string name = _graph.Tensors[s.Output].Name;
            int[] weightShape = s.Kind == OpKind.FullyConnected ? [s.Kernel.N, s.Kernel.H * s.Kernel.W * s.Kernel.C] : ShapeOf(s.Kernel);
            int dimension = Int8Params.QuantizedDimension(s.Kind);
            byte[] weightBytes = new byte[p.Weights.Length];
            System.Buffer.BlockCopy(p.Weights, 0, weightBytes, 0, weightBytes.Length);
            int weights = AddConstant($"{name}/w", weightShape, TensorType.Int8, weightBytes, p.WeightScales, dimension);

            float inputScale = input.Quantization!.Value.Scale;
            float[] biasScales = p.WeightScales.Select(w => (float)((double)inputScale * w)).ToArray();
            int bias = AddConstant($"{name}/b", [p.Bias.Length], TensorType.Int32, Int32Bytes(p.Bias), biasScales, 0);
            if (!_biasQuantization && s.Kind != OpKind.FullyConnected) _tensors[bias] = _tensors[bias] with { Scales = [], ZeroPoints = [] };
            return [weights, bias];
        }

        private static byte[] Int32Bytes(int[] values)
        {
            var bytes = new byte[values.Length * sizeof(int)];
            for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
            return bytes;
        }

        private int AddConstant(string name, int[] shape, TensorType type, byte[] data, float[]? scales, int quantizedDimension)
        {
            _buffers.Add(data);
            _tensors.Add(new TensorEntry(name, shape, type, _buffers.Count - 1, scales ?? [], quantizedDimension)
                { ZeroPoints = new long[scales?.Length ?? 0] });
            return _tensors.Count - 1;
        }

        private void Add(BuiltinOperator code, int[] inputs, int output, BuiltinOptions optionsType, Func<FlatBufferBuilder, int> options) =>
            _operators.Add(new OperatorEntry(code, inputs, [output], optionsType, options));

        public byte[] Serialize()
        {
            byte[] labelBytes = Encoding.UTF8.GetBytes(string.Join('\n', _labels));
            _buffers.Add(labelBytes);
            int labelsBuffer = _buffers.Count - 1;

            var b = new FlatBufferBuilder(_buffers.Sum(x => x.Length) + 4096);
            var sharedVectors = new Dictionary<string, VectorOffset>();

            var bufferOffsets = new int[_buffers.Count];
            for (int i = _buffers.Count - 1; i >= 0; i--)
            {
                byte[] data = _buffers[i];
                VectorOffset? vector = null;
                if (data.Length > 0)
                {
                    b.StartVector(1, data.Length, BufferFields.DataAlignment);
                    for (int k = data.Length - 1; k >= 0; k--) b.PutByte(data[k]);
                    vector = b.EndVector();
                }
                b.StartTable(BufferFields.Count);
                if (vector is { } v) b.AddOffset(BufferFields.Data, v.Value, 0);
                bufferOffsets[i] = b.EndTable();
            }

            var tensorOffsets = new int[_tensors.Count];
            for (int t = 0; t < _tensors.Count; t++)
            {
                var e = _tensors[t];
                var shape = IntVector(b, e.Shape);
                var name = b.CreateSharedString(e.Name);
                int quantization = 0;
                if (e.Scales.Length > 0)
                {
                    var scales = Shared(b, sharedVectors, "s" + string.Join(',', e.Scales.Select(s => BitConverter.SingleToInt32Bits(s))), () =>
                    {
                        b.StartVector(4, e.Scales.Length, 4);
                        for (int k = e.Scales.Length - 1; k >= 0; k--) b.PutFloat(e.Scales[k]);
                        return b.EndVector();
                    });
                    var zeroPoints = Shared(b, sharedVectors, "z" + string.Join(',', e.ZeroPoints), () =>
                    {
                        b.StartVector(8, e.ZeroPoints.Length, 8);
                        for (int k = e.ZeroPoints.Length - 1; k >= 0; k--) b.PutLong(e.ZeroPoints[k]);
                        return b.EndVector();
                    });
                    b.StartTable(QuantizationFields.Count);
                    b.AddOffset(QuantizationFields.Scale, scales.Value, 0);
                    b.AddOffset(QuantizationFields.ZeroPoint, zeroPoints.Value, 0);
                    b.AddInt(QuantizationFields.QuantizedDimension, e.QuantizedDimension, 0);
                    quantization = b.EndTable();
                }
                b.StartTable(Tensor.Count);
                b.AddOffset(Tensor.Shape, shape.Value, 0);
                b.AddSbyte(Tensor.Type, (sbyte)e.Type, 0);
                b.AddUint(Tensor.Buffer, (uint)e.Buffer, 0);
                b.AddOffset(Tensor.Name, name.Value, 0);
                b.AddOffset(Tensor.Quantization, quantization, 0);
                tensorOffsets[t] = b.EndTable();
            }

            var codes = _operators.Select(o => o.Code).Distinct().ToList();
            var operatorOffsets = new int[_operators.Count];
            for (int i = 0; i < _operators.Count; i++)
            {
                var o = _operators[i];
                var inputs = IntVector(b, o.Inputs);
                var outputs = IntVector(b, o.Outputs);
                int options = o.Options(b);
                b.StartTable(Operator.Count);
                b.AddUint(Operator.OpcodeIndex, (uint)codes.IndexOf(o.Code), 0);
                b.AddOffset(Operator.Inputs, inputs.Value, 0);
                b.AddOffset(Operator.Outputs, outputs.Value, 0);
                b.AddByte(Operator.BuiltinOptionsType, (byte)o.OptionsType, 0);
                b.AddOffset(Operator.BuiltinOptions, options, 0);
                operatorOffsets[i] = b.EndTable();
            }

            var subgraphTensors = TableVector(b, tensorOffsets);
            var subgraphInputs = IntVector(b, [_graph.Input]);
            var subgraphOutputs = IntVector(b, [_graph.Output]);
            var subgraphOperators = TableVector(b, operatorOffsets);
            b.StartTable(SubGraph.Count);
            b.AddOffset(SubGraph.Tensors, subgraphTensors.Value, 0);
            b.AddOffset(SubGraph.Inputs, subgraphInputs.Value, 0);
            b.AddOffset(SubGraph.Outputs, subgraphOutputs.Value, 0);
            b.AddOffset(SubGraph.Operators, subgraphOperators.Value, 0);
            int subgraph = b.EndTable();

            var codeOffsets = codes.Select(code =>
            {
                b.StartTable(OperatorCode.Count);
                b.AddSbyte(OperatorCode.DeprecatedBuiltinCode, (sbyte)Math.Min((int)code, 127), 0);
                b.AddInt(OperatorCode.Version, OperatorVersion(code), 1);
                b.AddInt(OperatorCode.BuiltinCode, (int)code, 0);
                return b.EndTable();
            }).ToArray();

            var metadataName = b.CreateString(LabelsMetadataName);
            b.StartTable(Metadata.Count);
            b.AddOffset(Metadata.Name, metadataName.Value, 0);
            b.AddUint(Metadata.Buffer, (uint)labelsBuffer, 0);
            int metadata = b.EndTable();

            var operatorCodes = TableVector(b, codeOffsets);
            var subgraphs = TableVector(b, [subgraph]);
            var description = b.CreateString(Description);
            var buffers = TableVector(b, bufferOffsets);
            var metadataVector = TableVector(b, [metadata]);
            b.StartTable(Model.Count);
            b.AddUint(Model.Version, SchemaVersion, 0);
            b.AddOffset(Model.OperatorCodes, operatorCodes.Value, 0);
            b.AddOffset(Model.Subgraphs, subgraphs.Value, 0);
            b.AddOffset(Model.Description, description.Value, 0);
            b.AddOffset(Model.Buffers, buffers.Value, 0);
            b.AddOffset(Model.Metadata, metadataVector.Value, 0);
            b.Finish(b.EndTable(), FileIdentifier);
            return b.SizedByteArray();
        }

        /// <summary>
        /// The version TFLite's converter assigns for int8 tensors (lite/tools/versioning/op_version.cc): it tells an
        /// interpreter which kernel features the op needs.
        /// </summary>
        private static int OperatorVersion(BuiltinOperator code) => code switch
        {
            BuiltinOperator.Conv2D or BuiltinOperator.DepthwiseConv2D => 3,
            BuiltinOperator.FullyConnected => 4,
            BuiltinOperator.Reshape => 1,
            _ => 2,
        };

        private static VectorOffset Shared(FlatBufferBuilder b, Dictionary<string, VectorOffset> cache, string key, Func<VectorOffset> create)
        {
            if (!cache.TryGetValue(key, out var offset)) cache[key] = offset = create();
            return offset;
        }
    }

    private static VectorOffset IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (int i = values.Length - 1; i >= 0; i--) b.AddInt(values[i]);
        return b.EndVector();
    }

    private static VectorOffset TableVector(FlatBufferBuilder b, int[] tables)
    {
        b.StartVector(4, tables.Length, 4);
        for (int i = tables.Length - 1; i >= 0; i--) b.AddOffset(tables[i]);
        return b.EndVector();
    }
}
