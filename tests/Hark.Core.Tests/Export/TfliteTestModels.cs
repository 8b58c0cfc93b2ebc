using Hark.Audio;
using Hark.Engine;
using Hark.Engine.Kernels;
using Hark.Features;
using Hark.Quantization;

namespace Hark.Tests.Export;

/// <summary>
/// Float graphs shaped like Hark's architectures, with seeded random weights (no TorchSharp), quantized on real clip
/// features when the Speech Commands dev data is present and on synthetic tones otherwise.
/// </summary>
internal static class TfliteTestModels
{
    public static readonly FrontEndConfig FrontEnd = FrontEndConfig.Default;
    public static readonly string[] Labels = ["_silence_", "_unknown_", "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];
    private static readonly string[] Words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "_silence_"];

    /// <summary>
    /// DS-CNN-S as in Hello Edge / MLPerf Tiny: conv 64 x (10x4) stride 2 SAME, four depthwise-separable blocks of
    /// 64 channels, global average pool, FC to 12 classes, softmax; batch norm folded, ReLU fused.
    /// </summary>
    public static FloatGraph DsCnnS(int seed)
    {
        var b = new Builder(seed, new Dims(1, 49, 10, 1));
        b.Conv("conv1", 64, 10, 4, 2, 2, new Padding(4, 5, 1, 1), new Dims(1, 25, 5, 64));
        for (int i = 1; i <= 4; i++)
        {
            b.Depthwise($"dw{i}", 3, 3, new Padding(1, 1, 1, 1));
            b.Conv($"pw{i}", 64, 1, 1, 1, 1, default, new Dims(1, 25, 5, 64));
        }
        b.GlobalAveragePool("pool");
        return b.Classifier();
    }

    /// <summary>
    /// A cnn1d-shaped graph: features reshaped to time x channels, 1-D convolutions (one with an asymmetric padding
    /// TFLite can only express with PAD), a ceil-mode max pool, a residual ADD, global average pool, FC, softmax.
    /// </summary>
    public static FloatGraph Cnn1d(int seed)
    {
        var b = new Builder(seed, new Dims(1, 49, 10, 1));
        b.Reshape("reshape", new Dims(1, 49, 1, 10));
        b.Conv("conv1", 32, 3, 1, 1, 1, new Padding(1, 1, 0, 0), new Dims(1, 49, 1, 32));
        int skip = b.MaxPool("pool1", 2, 1, 2, 1, new Padding(0, 1, 0, 0), new Dims(1, 25, 1, 32));
        b.Conv("conv2", 32, 3, 1, 1, 1, new Padding(0, 2, 0, 0), new Dims(1, 25, 1, 32));
        b.Add("residual", skip);
        b.GlobalAveragePool("pool");
        return b.Classifier();
    }

    /// <summary>
    /// A graph of only the ops desktop TFLite computes with TFLite Micro's reference arithmetic (no CONV_2D or
    /// FULLY_CONNECTED, which it runs through ruy's GEMM): depthwise SAME and explicitly padded (PAD), ADD with ReLU,
    /// max pool needing PAD, average pool with SAME partial windows, reshape, and a 45-way softmax.
    /// </summary>
    public static FloatGraph ReferenceOps(int seed)
    {
        var b = new Builder(seed, new Dims(1, 49, 10, 1));
        int first = b.Depthwise("dw1", 3, 3, new Padding(1, 1, 1, 1));
        b.Depthwise("dw2", 5, 3, new Padding(0, 4, 2, 0));
        b.Add("sum", first, FusedActivation.Relu);
        b.MaxPool("max", 3, 2, 3, 2, new Padding(0, 2, 0, 0), new Dims(1, 17, 5, 1));
        b.AveragePool("avg", 3, 2, 2, 1, new Padding(1, 1, 0, 1), new Dims(1, 9, 5, 1));
        b.Reshape("flat", new Dims(1, 1, 1, 45));
        return b.Softmax();
    }

    public static readonly string[] ReferenceOpsLabels = Enumerable.Range(0, 45).Select(i => $"class{i}").ToArray();

    private sealed class Builder(int seed, Dims input)
    {
        private readonly DeterministicRandom _random = DeterministicRandom.For(seed, "tflite-test-graph");
        private readonly List<GraphTensor> _tensors = [new("features", input)];
        private readonly List<GraphOp<FloatParams>> _ops = [];

        private int Current => _tensors.Count - 1;
        private Dims Shape => _tensors[Current].Shape;

        private FloatParams Weights(Dims kernel, int outC, int fanIn) => new(
            Enumerable.Range(0, kernel.FlatSize).Select(_ => (float)(_random.NextGaussian() * Math.Sqrt(2.0 / fanIn))).ToArray(),
            Enumerable.Range(0, outC).Select(_ => (float)(_random.NextGaussian() * 0.1)).ToArray());

        private int Append(string name, OpSpec spec, FloatParams? parameters, Dims output)
        {
            _tensors.Add(new GraphTensor(name, output));
            _ops.Add(new GraphOp<FloatParams>(spec, parameters));
            return Current;
        }

        public void Conv(string name, int outC, int kh, int kw, int sh, int sw, Padding padding, Dims output)
        {
            var kernel = new Dims(outC, kh, kw, Shape.C);
            Append(name, new OpSpec(OpKind.Conv2D, [Current], Current + 1, kernel, sh, sw, padding, FusedActivation.Relu),
                Weights(kernel, outC, kh * kw * Shape.C), output);
        }

        public int Depthwise(string name, int kh, int kw, Padding padding)
        {
            var kernel = new Dims(1, kh, kw, Shape.C);
            return Append(name, new OpSpec(OpKind.DepthwiseConv2D, [Current], Current + 1, kernel, 1, 1, padding, FusedActivation.Relu),
                Weights(kernel, Shape.C, kh * kw), Shape);
        }

        public int MaxPool(string name, int kh, int kw, int sh, int sw, Padding padding, Dims output) =>
            Append(name, new OpSpec(OpKind.MaxPool2D, [Current], Current + 1, new Dims(1, kh, kw, 1), sh, sw, padding), null, output);

        public int AveragePool(string name, int kh, int kw, int sh, int sw, Padding padding, Dims output) =>
            Append(name, new OpSpec(OpKind.AveragePool2D, [Current], Current + 1, new Dims(1, kh, kw, 1), sh, sw, padding), null, output);

        public void Reshape(string name, Dims output) => Append(name, new OpSpec(OpKind.Reshape, [Current], Current + 1), null, output);

        public void Add(string name, int other, FusedActivation activation = FusedActivation.None) =>
            Append(name, new OpSpec(OpKind.Add, [other, Current], Current + 1, Activation: activation), null, Shape);

        public void GlobalAveragePool(string name) =>
            Append(name, new OpSpec(OpKind.AveragePool2D, [Current], Current + 1, new Dims(1, Shape.H, Shape.W, 1)), null, new Dims(1, 1, 1, Shape.C));

        /// <summary>FC to the classes with zero-sum rows (so clips differ in class, not only in level), then softmax.</summary>
        public FloatGraph Classifier()
        {
            int depth = Shape.FlatSize, classes = Labels.Length;
            var p = Weights(new Dims(classes, 1, 1, depth), classes, depth);
            for (int row = 0; row < p.Weights.Length; row += depth)
            {
                float mean = p.Weights.AsSpan(row, depth).ToArray().Average();
                for (int i = row; i < row + depth; i++) p.Weights[i] = (p.Weights[i] - mean) * 4;
            }
            Append("logits", new OpSpec(OpKind.FullyConnected, [Current], Current + 1, new Dims(classes, 1, 1, depth)), p, new Dims(1, 1, 1, classes));
            return Softmax();
        }

        public FloatGraph Softmax()
        {
            Append("probabilities", new OpSpec(OpKind.Softmax, [Current], Current + 1), null, Shape);
            return new FloatGraph(_tensors.ToArray(), _ops.ToArray(), 0, Current);
        }
    }

    public static QuantizedGraph Quantize(FloatGraph graph, IEnumerable<float[]> calibration) =>
        Quantizer.Quantize(graph, Quantizer.Calibrate(graph, calibration));

    /// <summary>
    /// Features of <paramref name="count"/> clips: real Speech Commands clips (several per word, in a fixed order)
    /// when the dev data is present, otherwise synthetic tones in noise. <paramref name="offset"/> selects a disjoint set.
    /// </summary>
    public static (List<float[]> Features, bool Real) Clips(int count, int offset)
    {
        var frontEnd = new FrontEnd(FrontEnd);
        if (Directory.Exists(TestPaths.SpeechCommandsDev))
        {
            var files = Words
                .Select(w => Directory.GetFiles(Path.Combine(TestPaths.SpeechCommandsDev, w), "*.wav").Order(StringComparer.Ordinal).ToArray())
                .ToArray();
            var picked = Enumerable.Range(0, count)
                .Select(i => files[i % files.Length][(offset + i / files.Length) % files[i % files.Length].Length]);
            return (picked.Select(f => frontEnd.ComputeClip(WavReader.ReadPipeline(f).Samples)).ToList(), true);
        }
        return (Enumerable.Range(offset, count).Select(i => frontEnd.ComputeClip(Tone(i))).ToList(), false);
    }

    private static float[] Tone(int index)
    {
        var random = DeterministicRandom.For(index, "tflite-test-tone");
        double frequency = random.NextDouble(150, 3500), amplitude = random.NextDouble(0.01, 0.5), noise = random.NextDouble(0.001, 0.05);
        int start = random.NextInt(0, 8000), length = random.NextInt(2000, 8000);
        var samples = new float[AudioClip.PipelineRate];
        for (int i = 0; i < samples.Length; i++)
        {
            double tone = i >= start && i < start + length ? amplitude * Math.Sin(2 * Math.PI * frequency * i / AudioClip.PipelineRate) : 0;
            samples[i] = (float)(tone + noise * random.NextGaussian());
        }
        return samples;
    }
}
