using Hark.Audio;
using Hark.Engine;
using Hark.Export.Onnx;
using Hark.Features;
using Hark.Quantization;
using Hark.Tests;
using Hark.Training.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit.Abstractions;

namespace Hark.Training.Tests;

/// <summary>ONNX exports checked by running them in ONNX Runtime against TorchSharp (float) and the int8 engine.</summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    private static readonly string[] Words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

    private static string[] Labels(int count) => Enumerable.Range(0, count).Select(i => $"word{i}").ToArray();

    private static float[] RunFloat(InferenceSession session, float[] features, int frames, int featuresPerFrame)
    {
        var input = NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(features, [1, frames, featuresPerFrame]));
        using var results = session.Run([input]);
        return results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>().ToArray();
    }

    private static sbyte[] RunInt8(InferenceSession session, sbyte[] features, int frames, int featuresPerFrame)
    {
        var input = NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<sbyte>(features, [1, frames, featuresPerFrame]));
        using var results = session.Run([input]);
        return results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<sbyte>().ToArray();
    }

    private static IEnumerable<float[]> RandomInputs(int length, int count, int seed)
    {
        var random = DeterministicRandom.For(seed, "onnx-inputs");
        for (int n = 0; n < count; n++)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 40 - 20);
            yield return x;
        }
    }

    /// <summary>Up to <paramref name="perWord"/> clips of each of the ten command words, in file-name order.</summary>
    private static List<float[]> RealFeatures(FrontEnd frontEnd, int perWord)
    {
        string data = TestPaths.RequireSpeechCommandsDev();
        return Words.SelectMany(w => Directory.GetFiles(Path.Combine(data, w), "*.wav").Order(StringComparer.Ordinal).Take(perWord))
            .Select(f => frontEnd.ComputeClip(WavReader.ReadPipeline(f).Samples)).ToList();
    }

    private void AssertFloatModelMatchesTorch(KwsModel model, IEnumerable<float[]> inputs)
    {
        var graph = GraphExtractor.Extract(model);
        var labels = Labels(model.Classes);
        using var session = new InferenceSession(OnnxExporter.Float(graph, labels));
        Assert.Equal(string.Join('\n', labels), session.ModelMetadata.CustomMetadataMap[OnnxExporter.LabelsKey]);
        double worst = 0;
        int count = 0;
        foreach (float[] features in inputs)
        {
            float[] expected = GraphExtractorTests.TorchProbabilities(model, features);
            float[] actual = RunFloat(session, features, model.Frames, model.FeaturesPerFrame);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            count++;
        }
        output.WriteLine($"{model.ModelName}: {count} inputs, max |p_torch - p_onnx| = {worst:E2}");
        Assert.True(count > 0);
        Assert.True(worst < 1e-4, $"{model.ModelName}: max difference {worst}");
    }

    [Theory]
    [InlineData(DsCnn.Name)]
    [InlineData(Cnn1d.Name)]
    public void Float_model_in_onnx_runtime_equals_torch_on_random_inputs(string name)
    {
        using var model = GraphExtractorTests.ModelWithRandomNormalization(name, 49, 10, 5, 11);
        AssertFloatModelMatchesTorch(model, RandomInputs(49 * 10, 8, 2));
    }

    [SkippableTheory]
    [InlineData(DsCnn.Name)]
    [InlineData(Cnn1d.Name)]
    public void Float_model_in_onnx_runtime_equals_torch_on_real_features(string name)
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var clips = RealFeatures(frontEnd, 2);
        using var model = GraphExtractorTests.ModelWithRandomNormalization(name, frontEnd.FramesPerClip, frontEnd.FeaturesPerFrame, 4, 12);
        AssertFloatModelMatchesTorch(model, clips);
    }

    /// <summary>A quantized graph calibrated on real features, with the engine and the quantized test inputs.</summary>
    private static (QuantizedGraph Graph, Int8Engine Engine, List<sbyte[]> Inputs) QuantizedOnRealClips(string name, int perWord, int seed)
    {
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var clips = RealFeatures(frontEnd, perWord);
        // A briefly trained model: random weights give nearly the same output for every clip, which would make the
        // comparison cover a handful of probability vectors only.
        Native.TorchRuntime.EnsureLoadable();
        torch.manual_seed(seed);
        using var model = ModelZoo.Create(name, frontEnd.FramesPerClip, frontEnd.FeaturesPerFrame, Words.Length);
        TrainBriefly(model, clips, perWord);
        var floatGraph = GraphExtractor.Extract(model);
        var graph = Quantizer.Quantize(floatGraph, Quantizer.Calibrate(floatGraph, clips.Where((_, i) => i % 2 == 0), 0.99));
        var engine = new Int8Engine(graph, FrontEndConfig.Default, Labels(Words.Length));
        var inputs = clips.Select(c =>
        {
            var q = new sbyte[c.Length];
            engine.QuantizeInput(c, q);
            return q;
        }).ToList();
        return (graph, engine, inputs);
    }

    /// <summary>Full-batch Adam on the clips (grouped by word, <paramref name="perWord"/> each); leaves the model in eval mode.</summary>
    private static void TrainBriefly(KwsModel model, List<float[]> clips, int perWord)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(clips.SelectMany(c => c).ToArray(), [clips.Count, model.Frames, model.FeaturesPerFrame]);
        var y = torch.tensor(Enumerable.Range(0, clips.Count).Select(i => (long)(i / perWord)).ToArray());
        using var optimizer = torch.optim.Adam(model.parameters(), 0.01);
        model.train();
        for (int step = 0; step < 30; step++)
        {
            optimizer.zero_grad();
            torch.nn.functional.cross_entropy(model.forward(x), y).backward();
            optimizer.step();
        }
        model.eval();
    }

    [SkippableTheory]
    [InlineData(DsCnn.Name)]
    [InlineData(Cnn1d.Name)]
    public void Integer_exact_model_equals_the_int8_engine_bit_for_bit(string name)
    {
        var (graph, engine, inputs) = QuantizedOnRealClips(name, 15, 21);
        using var session = new InferenceSession(OnnxExporter.IntegerExact(graph, engine.Labels));
        // Add saturated inputs: the extremes exercise clamps and the softmax's widest differences.
        inputs.Add(Enumerable.Repeat((sbyte)127, engine.InputLength).ToArray());
        inputs.Add(Enumerable.Repeat((sbyte)-128, engine.InputLength).ToArray());
        int equal = 0, distinct = 0;
        var seen = new HashSet<string>();
        foreach (var input in inputs)
        {
            sbyte[] expected = engine.RunInt8(input);
            sbyte[] actual = RunInt8(session, input, graph.InputShape.H, graph.InputShape.W);
            equal += expected.AsSpan().SequenceEqual(actual) ? 1 : 0;
            if (seen.Add(string.Join(",", expected))) distinct++;
        }
        output.WriteLine($"{name}: integer-exact ONNX equals the engine on {equal}/{inputs.Count} inputs ({distinct} distinct outputs)");
        Assert.True(distinct > 3, "the inputs should not all give the same output");
        Assert.Equal(inputs.Count, equal);
    }

    [SkippableTheory]
    [InlineData(DsCnn.Name)]
    [InlineData(Cnn1d.Name)]
    public void Qdq_model_runs_in_onnx_runtime_within_a_few_steps_of_the_engine(string name)
    {
        var (graph, engine, inputs) = QuantizedOnRealClips(name, 15, 21);
        using var session = new InferenceSession(OnnxExporter.Qdq(graph, engine.Labels));
        Assert.Equal(string.Join('\n', engine.Labels), session.ModelMetadata.CustomMetadataMap[OnnxExporter.LabelsKey]);
        int equalClips = 0, equalValues = 0, values = 0, sameTop = 0, worst = 0;
        foreach (var input in inputs)
        {
            sbyte[] expected = engine.RunInt8(input);
            sbyte[] actual = RunInt8(session, input, graph.InputShape.H, graph.InputShape.W);
            equalClips += expected.AsSpan().SequenceEqual(actual) ? 1 : 0;
            for (int i = 0; i < expected.Length; i++)
            {
                equalValues += expected[i] == actual[i] ? 1 : 0;
                worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
            }
            values += expected.Length;
            sameTop += ArgMax(expected) == ArgMax(actual) ? 1 : 0;
        }
        output.WriteLine($"{name}: QDQ in ONNX Runtime vs engine on {inputs.Count} real clips: identical outputs {equalClips}/{inputs.Count}, " +
                         $"identical values {equalValues}/{values}, same top-1 {sameTop}/{inputs.Count}, max |diff| {worst} steps of 1/256");
        Assert.True(worst <= 8, $"max difference {worst} steps");
        Assert.True(sameTop >= 0.95 * inputs.Count, $"top-1 agreement {sameTop}/{inputs.Count}");
    }

    private static int ArgMax(sbyte[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    [Fact]
    public void Labels_that_do_not_match_the_outputs_are_refused()
    {
        using var model = GraphExtractorTests.ModelWithRandomNormalization(DsCnn.Name, 49, 10, 3, 1);
        var graph = GraphExtractor.Extract(model);
        Assert.Contains("3 outputs but there are 2 labels", Assert.Throws<ArgumentException>(() => OnnxExporter.Float(graph, ["a", "b"])).Message);
    }

    [Fact]
    public void Writing_replaces_the_file_whole_and_reports_an_unwritable_path()
    {
        using var model = GraphExtractorTests.ModelWithRandomNormalization(DsCnn.Name, 49, 10, 3, 1);
        var graph = GraphExtractor.Extract(model);
        string path = Path.Combine(TestPaths.NewTempDir("onnx-write"), "model.onnx");
        File.WriteAllText(path, "old");
        OnnxExporter.WriteFloat(path, graph, Labels(3));
        Assert.Equal(OnnxExporter.Float(graph, Labels(3)), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));
        string missing = Path.Combine(path + ".d", "no", "model.onnx");
        Assert.Contains(missing, Assert.Throws<HarkException>(() => OnnxExporter.WriteFloat(missing, graph, Labels(3))).Message);
    }
}
