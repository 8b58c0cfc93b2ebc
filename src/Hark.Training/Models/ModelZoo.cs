namespace Hark.Training.Models;

/// <summary>The models Hark can train, built by name.</summary>
public static class ModelZoo
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [DsCnn.Name, Cnn1d.Name, BcResNet.Name];

    /// <summary>A freshly initialised model for clips of <paramref name="frames"/> x <paramref name="featuresPerFrame"/>.</summary>
    /// <exception cref="HarkException">Unknown name.</exception>
    public static KwsModel Create(string name, int frames, int featuresPerFrame, int classes)
    {
        Native.TorchRuntime.EnsureLoadable();
        return name switch
        {
            DsCnn.Name => new DsCnn(frames, featuresPerFrame, classes),
            Cnn1d.Name => new Cnn1d(frames, featuresPerFrame, classes),
            BcResNet.Name => new BcResNet(frames, featuresPerFrame, classes),
            _ => throw new HarkException($"unknown model '{name}'; choose one of: {string.Join(", ", Names)}"),
        };
    }
}
