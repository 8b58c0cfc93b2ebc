using System.Collections.Concurrent;

namespace Hark.Audio;

/// <summary>
/// Anti-aliased sample-rate conversion; see <see cref="PolyphaseResampler"/> for the filter. Filters are built once
/// per rate pair and cached, so converting thousands of clips pays the design cost once.
/// </summary>
public static class Resampler
{
    // A corrupt or fuzzed header can name any rate; bounding the cache keeps such inputs from growing it forever.
    // 64 covers training's speed perturbation (±10 % on a 100 Hz grid: 33 pairs) plus the file rates in use.
    private const int MaxCachedRatePairs = 64;
    private static readonly ConcurrentDictionary<(int From, int To), PolyphaseResampler> Cache = new();

    public static float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fromRate);
            return input.ToArray();
        }
        return For(fromRate, toRate).Resample(input);
    }

    /// <summary>The shared, thread-safe resampler for a rate pair.</summary>
    public static PolyphaseResampler For(int fromRate, int toRate)
    {
        if (Cache.TryGetValue((fromRate, toRate), out var cached)) return cached;
        var resampler = new PolyphaseResampler(fromRate, toRate);
        return Cache.Count < MaxCachedRatePairs ? Cache.GetOrAdd((fromRate, toRate), resampler) : resampler;
    }
}
