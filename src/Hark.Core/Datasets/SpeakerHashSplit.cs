using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Hark.Datasets;

/// <summary>
/// Speech Commands' own split rule (its README's <c>which_set</c>), reproduced exactly so Hark's splits agree with
/// every other tool that uses the dataset: the speaker name is SHA-1 hashed, the 160-bit digest taken modulo
/// 2^27 and scaled to a percentage. Every clip of a speaker lands in the same split, so splits are speaker-disjoint.
/// </summary>
public static class SpeakerHashSplit
{
    /// <summary>Speech Commands' MAX_NUM_WAVS_PER_CLASS (2^27 - 1).</summary>
    public const int MaxNumWavsPerClass = (1 << 27) - 1;

    /// <summary>
    /// The README's <c>percentage_hash</c> for a hash name (the speaker, or the whole file name when it has no
    /// <c>_nohash_</c> part): <c>(int(sha1(name).hexdigest(), 16) % (MAX + 1)) * (100.0 / MAX)</c>.
    /// </summary>
    public static double PercentageHash(string hashName)
    {
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(Encoding.UTF8.GetBytes(hashName), digest);
        // MAX + 1 is 2^27, so the remainder of the big-endian 160-bit number is just its low 27 bits,
        // which live in the last four bytes.
        uint low = BinaryPrimitives.ReadUInt32BigEndian(digest[^4..]) & MaxNumWavsPerClass;
        return low * (100.0 / MaxNumWavsPerClass);
    }

    public static Split Assign(string hashName, SplitOptions options)
    {
        double percentage = PercentageHash(options.Salt + hashName);
        if (percentage < options.ValidationPercent) return Split.Validation;
        if (percentage < options.ValidationPercent + options.TestPercent) return Split.Test;
        return Split.Train;
    }
}
