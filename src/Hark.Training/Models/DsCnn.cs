using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training.Models;

/// <summary>
/// DS-CNN-S from Hello Edge (Zhang et al. 2017) as used by the MLPerf Tiny keyword-spotting benchmark:
/// a 10x4 stride-2 convolution with 64 filters, four depthwise-separable blocks of 64 channels, global average
/// pooling and one fully connected layer. For 49x10 MFCC and 12 classes: about 23k parameters, 2.66M MACs.
/// </summary>
/// <remarks>
/// The first convolution reproduces TensorFlow's asymmetric 'same' padding (more padding at the bottom/right)
/// with an explicit zero pad, so the exporter can map it back to SAME and outputs agree with the reference.
/// Convolutions have no bias: each is followed by batch norm, whose folding supplies the bias.
/// </remarks>
public sealed class DsCnn : KwsModel
{
    public const string Name = "dscnn-s";
    private const int Channels = 64, KernelTime = 10, KernelFeature = 4, Blocks = 4;

    private readonly Sequential stem, blocks, head;

    public DsCnn(int frames, int featuresPerFrame, int classes) : base(Name, frames, featuresPerFrame, classes)
    {
        var (top, bottom) = SamePadding(frames, KernelTime, 2);
        var (left, right) = SamePadding(featuresPerFrame, KernelFeature, 2);
        stem = nn.Sequential(
            ("pad", nn.ZeroPad2d((left, right, top, bottom))),
            ("conv", nn.Conv2d(1, Channels, (KernelTime, KernelFeature), stride: (2, 2), bias: false)),
            ("bn", nn.BatchNorm2d(Channels)),
            ("relu", nn.ReLU()),
            ("dropout", nn.Dropout(0.2)));
        blocks = nn.Sequential(Enumerable.Range(0, Blocks).Select(i => ($"block{i}", (nn.Module<Tensor, Tensor>)nn.Sequential(
            ("dw_conv", nn.Conv2d(Channels, Channels, (3, 3), padding: (1, 1), groups: Channels, bias: false)),
            ("dw_bn", nn.BatchNorm2d(Channels)),
            ("dw_relu", nn.ReLU()),
            ("pw_conv", nn.Conv2d(Channels, Channels, (1, 1), bias: false)),
            ("pw_bn", nn.BatchNorm2d(Channels)),
            ("pw_relu", nn.ReLU())))).ToArray());
        head = nn.Sequential(
            ("dropout", nn.Dropout(0.4)),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(Channels, classes)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        return head.forward(blocks.forward(stem.forward(input.unsqueeze(1))));
    }

    /// <summary>TensorFlow 'same' padding for a strided convolution: output = ceil(size / stride).</summary>
    internal static (long Before, long After) SamePadding(int size, int kernel, int stride)
    {
        int output = (size + stride - 1) / stride;
        int total = Math.Max(0, (output - 1) * stride + kernel - size);
        return (total / 2, total - total / 2);
    }
}
