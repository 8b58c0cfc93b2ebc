using Hark.Training.Models;
using TorchSharp;

namespace Hark.Training.Tests;

public class ModelTests
{
    [Theory]
    [InlineData("dscnn-s", 22_000, 24_500)]
    [InlineData("cnn1d", 1_000, 5_000)]
    [InlineData("bcresnet1", 7_000, 10_500)]
    public void Models_have_their_published_size_and_output_shape(string name, long minParams, long maxParams)
    {
        using var model = ModelZoo.Create(name, 49, 10, 12);
        Assert.InRange(model.ParameterCount, minParams, maxParams);
        model.eval();
        using var scope = torch.NewDisposeScope();
        var output = model.forward(torch.randn(3, 49, 10));
        Assert.Equal([3L, 12L], output.shape);
    }

    [Fact]
    public void Dscnn_parameters_match_the_layer_by_layer_count()
    {
        using var model = ModelZoo.Create(DsCnn.Name, 49, 10, 12);
        // Bias-free convolutions, each followed by batch norm (scale and shift per channel), then FC with bias.
        long expected = 64 * 10 * 4 + 2 * 64 + 4 * (64 * 3 * 3 + 2 * 64 + 64 * 64 + 2 * 64) + 64 * 12 + 12;
        Assert.Equal(expected, model.ParameterCount);
    }

    [Fact]
    public void Dscnn_costs_about_2_66_million_macs_for_12_classes()
    {
        using var model = ModelZoo.Create(DsCnn.Name, 49, 10, 12);
        // 10x4 conv to 25x5x64, four 3x3 depthwise + 64x64 pointwise blocks on 25x5, FC 64->12.
        long expected = 25 * 5 * 64 * 40 + 4 * (25 * 5 * 64 * 9 + 25 * 5 * 64 * 64) + 64 * 12;
        Assert.Equal(expected, model.CountMacs());
        Assert.InRange(model.CountMacs(), 2_600_000, 2_700_000);
    }

    [Fact]
    public void Dscnn_first_convolution_uses_tensorflow_same_padding()
    {
        Assert.Equal((4L, 5L), DsCnn.SamePadding(49, 10, 2));
        Assert.Equal((1L, 1L), DsCnn.SamePadding(10, 4, 2));
    }

    [Fact]
    public void Models_accept_other_front_end_shapes()
    {
        foreach (string name in ModelZoo.Names)
        {
            using var model = ModelZoo.Create(name, 98, 40, 4);
            model.eval();
            using var scope = torch.NewDisposeScope();
            Assert.Equal([2L, 4L], model.forward(torch.randn(2, 98, 40)).shape);
        }
    }

    [Fact]
    public void Unknown_model_name_lists_the_choices()
    {
        var e = Assert.Throws<HarkException>(() => ModelZoo.Create("resnet9000", 49, 10, 12));
        Assert.Contains("dscnn-s", e.Message);
    }
}
