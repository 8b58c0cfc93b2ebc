using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hark.Training.Models;

/// <summary>
/// A keyword-spotting network. Every model takes the front end's output as it is laid out in memory,
/// <c>[batch, frames, featuresPerFrame]</c>, and returns unnormalised class scores <c>[batch, classes]</c>.
/// Layers are named submodules in execution order (conv, bn, relu, ...), so the int8 exporter can walk them.
/// Intermediate tensors are left to the caller's <c>DisposeScope</c>.
/// </summary>
public abstract class KwsModel : nn.Module<Tensor, Tensor>
{
    protected KwsModel(string name, int frames, int featuresPerFrame, int classes) : base(name)
    {
        if (frames < 1 || featuresPerFrame < 1) throw new HarkException($"model {name}: empty input shape {frames}x{featuresPerFrame}");
        if (classes < 2) throw new HarkException($"model {name}: needs at least 2 classes, got {classes}");
        ModelName = name;
        Frames = frames;
        FeaturesPerFrame = featuresPerFrame;
        Classes = classes;
    }

    /// <summary>The name the model is built by (<see cref="ModelZoo.Create"/>).</summary>
    public string ModelName { get; }
    public int Frames { get; }
    public int FeaturesPerFrame { get; }
    public int Classes { get; }

    /// <summary>Trainable parameters (batch-norm running statistics excluded).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Multiply-accumulates for one clip; see <see cref="MacCounter"/>.</summary>
    public long CountMacs() => MacCounter.Count(this);
}

/// <summary>
/// Counts multiply-accumulates of convolutions and fully connected layers from their weight shapes and the
/// output sizes seen in one forward pass, which is how Hello Edge and MLPerf Tiny quote model cost.
/// Batch norm, activations, pooling and additions are not counted (they fold away or are negligible).
/// </summary>
public static class MacCounter
{
    public static long Count(KwsModel model)
    {
        Native.TorchRuntime.EnsureLoadable();
        long macs = 0;
        var removers = new List<Action>();
        foreach (var (_, module) in model.named_modules())
        {
            if (module is Convolution conv)
            {
                var remover = conv.register_forward_hook((m, input, output) =>
                {
                    // Each output element costs one MAC per weight in its group's filter.
                    macs += output.numel() * (conv.weight!.numel() / conv.out_channels);
                    return output;
                });
                removers.Add(remover.remove);
            }
            else if (module is Linear linear)
            {
                var remover = linear.register_forward_hook((m, input, output) =>
                {
                    macs += linear.weight!.numel() * (output.numel() / linear.out_features);
                    return output;
                });
                removers.Add(remover.remove);
            }
        }
        bool wasTraining = model.training;
        try
        {
            model.eval();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            model.forward(zeros(1, model.Frames, model.FeaturesPerFrame));
        }
        finally
        {
            foreach (var remove in removers) remove();
            model.train(wasTraining);
        }
        return macs;
    }
}
