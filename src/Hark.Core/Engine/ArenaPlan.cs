namespace Hark.Engine;

/// <summary>
/// Where each int8 activation tensor lives in one shared arena. A tensor occupies its bytes from the op that writes
/// it to the last op that reads it; tensors whose lifetimes do not overlap share bytes. For a chain of ops this
/// is ping-pong between two regions; residual adds keep their skip input alive as long as needed.
/// The C library generator uses the same plan, so the sizes it reports are the ones measured here.
/// </summary>
public sealed class ArenaPlan
{
    private ArenaPlan(int[] offsets, int size)
    {
        Offsets = offsets;
        Size = size;
    }

    /// <summary>Byte offset of each tensor (int8, one byte per element).</summary>
    public IReadOnlyList<int> Offsets { get; }

    /// <summary>Arena bytes: the peak activation memory of one inference.</summary>
    public int Size { get; }

    public static ArenaPlan For<TParams>(ModelGraph<TParams> graph) where TParams : class
    {
        int count = graph.Tensors.Count;
        // Lifetime in op steps: the input is born before op 0; the output lives to the end.
        var born = new int[count];
        var dies = new int[count];
        Array.Fill(born, int.MaxValue);
        born[graph.Input] = -1;
        for (int i = 0; i < graph.Ops.Count; i++)
        {
            var spec = graph.Ops[i].Spec;
            born[spec.Output] = Math.Min(born[spec.Output], i);
            foreach (int t in spec.Inputs) dies[t] = Math.Max(dies[t], i);
        }
        dies[graph.Output] = graph.Ops.Count;

        var offsets = new int[count];
        var placed = new List<(int Offset, int Size, int Born, int Dies)>();
        int size = 0;
        // Largest first, as TFLite Micro's greedy planner does: small tensors then fill the gaps between large ones.
        foreach (int t in Enumerable.Range(0, count).Where(t => born[t] != int.MaxValue)
                     .OrderByDescending(t => graph.Tensors[t].Shape.FlatSize).ThenBy(t => born[t]))
        {
            int bytes = graph.Tensors[t].Shape.FlatSize;
            // First fit among tensors alive at the same time (an op's output never shares bytes with its inputs).
            var live = placed.Where(p => p.Born <= dies[t] && born[t] <= p.Dies).OrderBy(p => p.Offset);
            int offset = 0;
            foreach (var p in live)
            {
                if (offset + bytes <= p.Offset) break;
                offset = Math.Max(offset, p.Offset + p.Size);
            }
            offsets[t] = offset;
            placed.Add((offset, bytes, born[t], dies[t]));
            size = Math.Max(size, offset + bytes);
        }
        return new ArenaPlan(offsets, size);
    }
}
