namespace Hark;

/// <summary>
/// Seeded randomness that stays the same across .NET versions and thread scheduling. Each independent piece of
/// work (a clip, a class, a voice) derives its own stream by name, so parallel loops give the same output as
/// sequential ones and adding work in one place does not reshuffle another.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>An independent stream for <paramref name="purpose"/>, stable for a given parent seed.</summary>
    public static DeterministicRandom For(int seed, string purpose) => new(Mix((ulong)(uint)seed, purpose));

    public DeterministicRandom Derive(string purpose) => new(Mix(_state, purpose));

    public DeterministicRandom Derive(long index) => new(SplitMix(_state ^ SplitMix((ulong)index + 0x632BE59BD9B4E019UL)));

    public ulong NextUInt64() => _state = SplitMix(_state);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextDouble(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [min, maxExclusive).</summary>
    public int NextInt(int min, int maxExclusive)
    {
        if (maxExclusive <= min) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong range = (ulong)((long)maxExclusive - min);
        return (int)(min + (long)(NextUInt64() % range));
    }

    /// <summary>Standard normal by Box-Muller; used for noise generation.</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(0, i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong seed, string purpose)
    {
        // FNV-1a over the purpose: string.GetHashCode is randomised per process, so it cannot be used here.
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in purpose) { h ^= c; h *= 0x100000001B3UL; }
        return SplitMix(seed ^ h);
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
