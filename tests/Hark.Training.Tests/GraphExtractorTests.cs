using Hark.Audio;
using Hark.Engine;
using Hark.Features;
using Hark.Tests;
using Hark.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using Padding = Hark.Engine.Padding;

namespace Hark.Training.Tests;

public class GraphExtractorTests
{
    /// <summary>A model in eval mode whose batch-norm statistics and affine parameters are far from the identity.</summary>
    internal static KwsModel ModelWithRandomNormalization(string name, int frames, int features, int classes, int seed)
    {
        Native.TorchRuntime.EnsureLoadable();
        torch.manual_seed(seed);
        var model = ModelZoo.Create(name, frames, features, classes);
        using (torch.no_grad())
        {
            foreach (var (_, module) in model.named_modules())
            {
                if (module is not BatchNorm bn) continue;
                long n = bn.num_features;
                bn.running_mean!.copy_(torch.randn(n) * 0.5);
                bn.running_var!.copy_(torch.rand(n) * 2 + 0.2);
                bn.weight!.copy_(torch.rand(n) + 0.5);
                bn.bias!.copy_(torch.randn(n) * 0.3);
            }
        }
        model.eval();
        return model;
    }

    internal static float[] TorchProbabilities(KwsModel model, float[] features)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var input = torch.tensor(features, [1, model.Frames, model.FeaturesPerFrame]);
        return torch.nn.functional.softmax(model.forward(input), 1).data<float>().ToArray();
    }

    private static void AssertGraphMatchesTorch(KwsModel model, IEnumerable<float[]> inputs)
    {
        var graph = GraphExtractor.Extract(model);
        var executor = new FloatExecutor(graph);
        int checkedInputs = 0;
        foreach (float[] features in inputs)
        {
            float[] expected = TorchProbabilities(model, features);
            float[] actual = executor.Run(features).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4,
                $"{model.ModelName} class {i}: torch {expected[i]} graph {actual[i]}");
            checkedInputs++;
        }
        Assert.True(checkedInputs > 0);
    }

    private static IEnumerable<float[]> RandomInputs(int length, int count, int seed)
    {
        var random = DeterministicRandom.For(seed, "graph-inputs");
        for (int n = 0; n < count; n++)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 4 - 2);
            yield return x;
        }
    }

    [Theory]
    [InlineData("dscnn-s")]
    [InlineData("cnn1d")]
    public void Float_graph_equals_the_torch_model_on_random_inputs(string name)
    {
        using var model = ModelWithRandomNormalization(name, 49, 10, 4, 3);
        AssertGraphMatchesTorch(model, RandomInputs(49 * 10, 5, 1));
    }

    [SkippableTheory]
    [InlineData("dscnn-s")]
    [InlineData("cnn1d")]
    public void Float_graph_equals_the_torch_model_on_real_features(string name)
    {
        string data = TestPaths.RequireSpeechCommandsDev();
        var frontEnd = new FrontEnd(FrontEndConfig.Default);
        var clips = Directory.GetFiles(Path.Combine(data, "yes"), "*.wav").Order(StringComparer.Ordinal).Take(4)
            .Select(f => frontEnd.ComputeClip(WavReader.ReadPipeline(f).Samples)).ToList();
        using var model = ModelWithRandomNormalization(name, frontEnd.FramesPerClip, frontEnd.FeaturesPerFrame, 3, 5);
        AssertGraphMatchesTorch(model, clips);
    }

    [Fact]
    public void Batch_norm_folds_exactly_into_the_convolution()
    {
        using var model = ModelWithRandomNormalization(DsCnn.Name, 49, 10, 3, 9);
        var graph = GraphExtractor.Extract(model);
        var stem = graph.Ops[0];
        Assert.Equal(OpKind.Conv2D, stem.Spec.Kind);
        Assert.Equal(new Padding(4, 5, 1, 1), stem.Spec.Padding);
        Assert.Equal(FusedActivation.Relu, stem.Spec.Activation);

        var named = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var conv = (Conv2d)named["stem.conv"];
        var bn = (BatchNorm2d)named["stem.bn"];
        float[] w = conv.weight!.data<float>().ToArray();
        float[] mean = bn.running_mean!.data<float>().ToArray(), variance = bn.running_var!.data<float>().ToArray();
        float[] gamma = bn.weight!.data<float>().ToArray(), beta = bn.bias!.data<float>().ToArray();
        for (int c = 0; c < 64; c += 7)
        {
            double scale = gamma[c] / Math.Sqrt(variance[c] + bn.eps);
            Assert.Equal(beta[c] - mean[c] * scale, stem.Params!.Bias[c], 5);
            // torch [c, 0, y=3, x=2] is OHWI [c, 3, 2, 0].
            Assert.Equal(w[c * 40 + 3 * 4 + 2] * scale, stem.Params.Weights[c * 40 + 3 * 4 + 2], 6);
        }
        Assert.Equal([OpKind.Conv2D, .. Enumerable.Repeat(new[] { OpKind.DepthwiseConv2D, OpKind.Conv2D }, 4).SelectMany(k => k),
            OpKind.AveragePool2D, OpKind.FullyConnected, OpKind.Softmax], graph.Ops.Select(o => o.Spec.Kind));
    }

    [Fact]
    public void Bcresnet_is_refused_with_a_clear_error()
    {
        using var model = ModelZoo.Create(BcResNet.Name, 49, 10, 3);
        Assert.Contains("bcresnet1", Assert.Throws<HarkException>(() => GraphExtractor.Extract(model)).Message);
    }
}
