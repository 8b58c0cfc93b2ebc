using System.Collections.Concurrent;

namespace Hark.Curation;

/// <summary>
/// Each planned source read and fitted to one window once, however often oversampling repeats it, and dropped
/// after its last planned use. Repeats of a source sit close together in the plan (one cycle of its class),
/// so only about one class's worth of sources is held at a time.
/// </summary>
internal sealed class SourceCache
{
    private readonly ConcurrentDictionary<string, Lazy<float[]>> _fitted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _usesLeft;
    private readonly int _windowLength;

    public SourceCache(IEnumerable<string> plannedUses, int windowLength)
    {
        _usesLeft = new(plannedUses.GroupBy(p => p, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Count())), StringComparer.Ordinal);
        _windowLength = windowLength;
    }

    /// <summary>Copies the source's fitted window into <paramref name="window"/>; a bad file throws on every use.</summary>
    public void CopyTo(string path, Span<float> window)
    {
        var fitted = _fitted.GetOrAdd(path, p => new Lazy<float[]>(() => Fit(p)));
        try
        {
            fitted.Value.CopyTo(window);
        }
        finally
        {
            if (_usesLeft.AddOrUpdate(path, 0, (_, n) => n - 1) <= 0) _fitted.TryRemove(path, out _);
        }
    }

    private float[] Fit(string path)
    {
        var window = new float[_windowLength];
        ClipShaping.FitInto(AudioSources.ReadPipeline(path), window);
        return window;
    }
}
