namespace Hark.Datasets;

/// <summary>
/// How clips without a list-file entry are split: Speech Commands' speaker-hash scheme with these percentages.
/// Defaults match the Speech Commands protocol (10 % validation, 10 % test, the rest train).
/// <para><see cref="Salt"/>, when set, is prefixed to every speaker before hashing: still speaker-disjoint, but a
/// different partition. It is for data that is itself one Speech Commands split (all of whose speakers the
/// unsalted hash sends to one split); see <see cref="DatasetScanner"/> for when it is applied automatically.</para>
/// </summary>
public sealed record SplitOptions(double ValidationPercent = 10, double TestPercent = 10, string? Salt = null)
{
    /// <summary>
    /// Re-split a root whose speakers all hash outside train (true, for training). Evaluation that wants Speech
    /// Commands' own assignment (the dev set is then all test) sets this to false.
    /// </summary>
    public bool ResplitSingleSplitRoots { get; init; } = true;

    public static SplitOptions Default { get; } = new();

    /// <summary>The salt used when a root's speakers all hash outside train and no salt was given.</summary>
    public const string ResplitSalt = "hark-resplit/";

    /// <summary>Throws a <see cref="HarkException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (ValidationPercent is < 0 or > 100 || double.IsNaN(ValidationPercent))
            throw new HarkException($"validation percent must be in [0, 100], got {ValidationPercent}");
        if (TestPercent is < 0 or > 100 || double.IsNaN(TestPercent))
            throw new HarkException($"test percent must be in [0, 100], got {TestPercent}");
        if (ValidationPercent + TestPercent >= 100)
            throw new HarkException(
                $"validation + test percent must leave room for training, got {ValidationPercent} + {TestPercent}");
    }
}
