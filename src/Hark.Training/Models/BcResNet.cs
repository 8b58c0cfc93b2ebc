using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training.Models;

/// <summary>
/// BC-ResNet-1 (Kim et al. 2021, "Broadcasted Residual Learning for Efficient Keyword Spotting"), about 9k
/// parameters. The layout follows the authors' reference code: a 5x5 head convolution with 16 channels and
/// frequency stride 2; four stages of 2, 2, 4, 4 broadcasted residual blocks with 8, 12, 16, 20 channels,
/// frequency stride 2 entering stages 2 and 3, temporal dilation 1, 2, 4, 8; then a depthwise convolution over
/// the remaining frequency bins, a 1x1 convolution to 32 channels, global average pooling and a 1x1 classifier.
/// </summary>
/// <remarks>
/// Three documented departures keep the network exportable to int8 TFLite Micro: SubSpectral Normalization is
/// plain batch norm, swish is ReLU, and the classifier's depthwise kernel spans however many frequency bins
/// remain (5 for the paper's 40 log-mel bands, 2 for 10 MFCC), so any front end works. Input is read as
/// frequency x time: <c>[batch, 1, featuresPerFrame, frames]</c>.
/// </remarks>
public sealed class BcResNet : KwsModel
{
    public const string Name = "bcresnet1";
    private static readonly int[] StageBlocks = [2, 2, 4, 4];
    private static readonly int[] StageChannels = [8, 12, 16, 20];
    private static readonly bool[] StageStride = [false, true, true, false];
    private const int HeadChannels = 16, ClassifierChannels = 32;

    private readonly Sequential head, stages, classifier;

    public BcResNet(int frames, int featuresPerFrame, int classes) : base(Name, frames, featuresPerFrame, classes)
    {
        head = nn.Sequential(
            ("conv", nn.Conv2d(1, HeadChannels, (5, 5), stride: (2, 1), padding: (2, 2), bias: false)),
            ("bn", nn.BatchNorm2d(HeadChannels)),
            ("relu", nn.ReLU()));
        int bins = (featuresPerFrame + 1) / 2;

        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = HeadChannels;
        for (int s = 0; s < StageBlocks.Length; s++)
            for (int b = 0; b < StageBlocks[s]; b++)
            {
                bool stride = StageStride[s] && b == 0;
                blocks.Add(($"stage{s}_block{b}", new BroadcastedResidualBlock(channels, StageChannels[s], stride, 1 << s)));
                channels = StageChannels[s];
                if (stride) bins = (bins + 1) / 2;
            }
        stages = nn.Sequential(blocks.ToArray());

        classifier = nn.Sequential(
            ("dw_conv", nn.Conv2d(channels, channels, (bins, 5), padding: (0, 2), groups: channels, bias: false)),
            ("pw_conv", nn.Conv2d(channels, ClassifierChannels, (1, 1), bias: false)),
            ("bn", nn.BatchNorm2d(ClassifierChannels)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("fc", nn.Conv2d(ClassifierChannels, classes, (1, 1))),
            ("flatten", nn.Flatten()));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) =>
        classifier.forward(stages.forward(head.forward(input.transpose(1, 2).unsqueeze(1))));
}

/// <summary>
/// One BC-ResBlock: a frequency-wise depthwise convolution (f2) keeps the 2-D map; its frequency average goes
/// through a dilated temporal depthwise convolution and a pointwise convolution (f1); f1's 1-D output is
/// broadcast back over frequency and added to f2's output and, when shapes allow, to the block input.
/// A block that changes the channel count starts with a 1x1 convolution and has no identity shortcut.
/// </summary>
internal sealed class BroadcastedResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Sequential? transition;
    private readonly Sequential f2, f1;
    private readonly bool identityShortcut;

    public BroadcastedResidualBlock(int inChannels, int outChannels, bool frequencyStride, int dilation)
        : base(nameof(BroadcastedResidualBlock))
    {
        if (inChannels != outChannels)
            transition = nn.Sequential(
                ("conv", nn.Conv2d(inChannels, outChannels, (1, 1), bias: false)),
                ("bn", nn.BatchNorm2d(outChannels)),
                ("relu", nn.ReLU()));
        identityShortcut = inChannels == outChannels && !frequencyStride;
        f2 = nn.Sequential(
            ("freq_dw_conv", nn.Conv2d(outChannels, outChannels, (3, 1), stride: (frequencyStride ? 2 : 1, 1),
                padding: (1, 0), groups: outChannels, bias: false)),
            ("freq_bn", nn.BatchNorm2d(outChannels)));
        f1 = nn.Sequential(
            ("freq_mean", new FrequencyMean()),
            ("time_dw_conv", nn.Conv2d(outChannels, outChannels, (1, 3), padding: (0, dilation),
                dilation: (1, dilation), groups: outChannels, bias: false)),
            ("time_bn", nn.BatchNorm2d(outChannels)),
            ("time_relu", nn.ReLU()),
            ("pw_conv", nn.Conv2d(outChannels, outChannels, (1, 1), bias: false)),
            ("dropout", nn.Dropout2d(0.1)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = transition is null ? input : transition.forward(input);
        var spectral = f2.forward(x);
        var sum = spectral + f1.forward(spectral);
        if (identityShortcut) sum = sum + input;
        return nn.functional.relu(sum);
    }
}

/// <summary>Averages over the frequency axis of <c>[batch, channels, frequency, time]</c>, keeping it as size 1.</summary>
internal sealed class FrequencyMean() : nn.Module<Tensor, Tensor>(nameof(FrequencyMean))
{
    public override Tensor forward(Tensor input) => input.mean([2], keepdim: true);
}
