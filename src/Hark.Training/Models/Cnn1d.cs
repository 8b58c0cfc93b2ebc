using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training.Models;

/// <summary>
/// The 1-D convolutional network of Edge Impulse's keyword-spotting template: the features are read as
/// <c>featuresPerFrame</c> channels over time (10 x 49 by default), then Conv1D(8, k3, same) + ReLU + MaxPool(2),
/// dropout 0.25, Conv1D(16, k3, same) + ReLU + MaxPool(2), dropout 0.25, flatten, one fully connected layer.
/// Pooling rounds up like TensorFlow's 'same' pooling (49 -> 25 -> 13 steps).
/// </summary>
public sealed class Cnn1d : KwsModel
{
    public const string Name = "cnn1d";

    private readonly Sequential layers;

    public Cnn1d(int frames, int featuresPerFrame, int classes) : base(Name, frames, featuresPerFrame, classes)
    {
        int pooledTwice = ((frames + 1) / 2 + 1) / 2;
        layers = nn.Sequential(
            ("conv1", nn.Conv1d(featuresPerFrame, 8, 3, padding: 1)),
            ("relu1", nn.ReLU()),
            ("pool1", nn.MaxPool1d(2, ceil_mode: true)),
            ("dropout1", nn.Dropout(0.25)),
            ("conv2", nn.Conv1d(8, 16, 3, padding: 1)),
            ("relu2", nn.ReLU()),
            ("pool2", nn.MaxPool1d(2, ceil_mode: true)),
            ("dropout2", nn.Dropout(0.25)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(16 * pooledTwice, classes)));
        RegisterComponents();
    }

    // [batch, frames, features] -> [batch, features (channels), frames (time)].
    public override Tensor forward(Tensor input) => layers.forward(input.transpose(1, 2));
}
