namespace Hark.Engine;

/// <summary>
/// What a deployed model costs: parameters (weights + biases), multiply-accumulates per inference (convolutions
/// and fully connected layers, as Hello Edge and MLPerf Tiny count them), int8 weight bytes, int32 bias bytes and
/// the peak activation arena (<see cref="ArenaPlan"/>).
/// </summary>
public sealed record GraphStats(long Parameters, long Macs, long WeightBytes, long BiasBytes, int PeakActivationBytes)
{
    public static GraphStats Of<TParams>(ModelGraph<TParams> graph) where TParams : class
    {
        long parameters = 0, macs = 0, weights = 0, biases = 0;
        foreach (var op in graph.Ops)
        {
            var s = op.Spec;
            var output = graph.Tensors[s.Output].Shape;
            switch (s.Kind)
            {
                case OpKind.Conv2D:
                    macs += (long)output.FlatSize * s.Kernel.H * s.Kernel.W * s.Kernel.C;
                    break;
                case OpKind.DepthwiseConv2D:
                    macs += (long)output.FlatSize * s.Kernel.H * s.Kernel.W;
                    break;
                case OpKind.FullyConnected:
                    macs += (long)s.Kernel.N * s.Kernel.C;
                    break;
                default:
                    continue;
            }
            weights += s.Kernel.FlatSize;
            biases += output.C;
        }
        parameters = weights + biases;
        return new GraphStats(parameters, macs, weights, biases * sizeof(int), ArenaPlan.For(graph).Size);
    }
}
