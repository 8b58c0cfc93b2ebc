namespace Hark.Datasets;

/// <summary>Speech Commands' file naming: <c>&lt;speaker&gt;_nohash_&lt;n&gt;.wav</c>.</summary>
public static class SpeakerNames
{
    public const string NoHashMarker = "_nohash_";

    /// <summary>The speaker part of a file name, or null when the name does not follow the convention.</summary>
    public static string? Parse(string fileName)
    {
        string name = Path.GetFileName(fileName);
        int marker = name.IndexOf(NoHashMarker, StringComparison.Ordinal);
        return marker > 0 ? name[..marker] : null;
    }

    /// <summary>
    /// The string Speech Commands hashes to pick a split: the speaker when there is one, else the whole file name
    /// (that is what the README's <c>re.sub(r'_nohash_.*$', '', base_name)</c> leaves when nothing matches), so a
    /// file without a speaker is its own pseudo-speaker.
    /// </summary>
    public static string HashName(string fileName) => Parse(fileName) ?? Path.GetFileName(fileName);
}
