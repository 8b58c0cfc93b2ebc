namespace Hark.Synthesis;

/// <summary>
/// The synthesizer voices installed on this machine: espeak-ng English accents, espeak-ng voice variants (each
/// can be combined with any accent as <c>accent+variant</c>) and flite voices. Discovered at run time so a
/// newer espeak-ng with more accents or variants is used without a code change.
/// </summary>
public sealed record VoiceCatalog(
    IReadOnlyList<string> EspeakAccents,
    IReadOnlyList<string> EspeakVariants,
    IReadOnlyList<string> FliteVoices)
{
    public const string Espeak = "espeak-ng", Flite = "flite";

    public static VoiceCatalog Discover()
    {
        var accents = ParseEspeakAccents(ExternalTool.Query(Espeak, Espeak, "--voices=en"));
        var variants = ParseEspeakVariants(ExternalTool.Query(Espeak, Espeak, "--voices=variant"));
        var flite = ParseFliteVoices(ExternalTool.Query(Flite, Flite, "-lv"));
        if (accents.Count == 0) throw new HarkException("espeak-ng lists no English voices: reinstall espeak-ng-data");
        if (flite.Count == 0) throw new HarkException("flite lists no voices: reinstall flite");
        return new VoiceCatalog(accents, variants, flite);
    }

    /// <summary>
    /// English accents from <c>espeak-ng --voices=en</c>. Only espeak's own formant voices (files outside
    /// <c>mb/</c>) are kept: the mbrola ones need voice databases that Debian main does not ship.
    /// </summary>
    public static IReadOnlyList<string> ParseEspeakAccents(string listing)
    {
        var accents = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var columns in Rows(listing))
        {
            if (columns.Length < 5 || columns[4].StartsWith("mb/", StringComparison.Ordinal)) continue;
            string language = columns[1];
            if (language.StartsWith("en", StringComparison.Ordinal) && language != "variant") accents.Add(language);
        }
        return [.. accents];
    }

    /// <summary>Variant names from <c>espeak-ng --voices=variant</c>: the part after <c>!v/</c> in the file column.</summary>
    public static IReadOnlyList<string> ParseEspeakVariants(string listing)
    {
        var variants = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var columns in Rows(listing))
            if (columns.Length >= 5 && columns[4].StartsWith("!v/", StringComparison.Ordinal))
                variants.Add(columns[4][3..]);
        return [.. variants];
    }

    /// <summary>Voice names from flite's <c>Voices available: kal awb_time kal16 awb rms slt</c>.</summary>
    public static IReadOnlyList<string> ParseFliteVoices(string listing)
    {
        const string prefix = "Voices available:";
        foreach (string line in listing.Split('\n'))
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return [.. line[prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
        return [];
    }

    private static IEnumerable<string[]> Rows(string listing) =>
        listing.Split('\n').Skip(1).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
