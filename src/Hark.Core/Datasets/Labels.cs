namespace Hark.Datasets;

/// <summary>
/// The label conventions shared by curation, training, evaluation and export. Keyword labels are the words the
/// user asked for; these two are added by Hark and always sort after the keywords in a model's label list.
/// </summary>
public static class Labels
{
    /// <summary>Any word that is not a keyword.</summary>
    public const string Unknown = "_unknown_";

    /// <summary>Background only: no speech.</summary>
    public const string Silence = "_silence_";

    /// <summary>Speech Commands' folder of long background recordings; never a label.</summary>
    public const string BackgroundNoiseFolder = "_background_noise_";

    /// <summary>The standard 12-class Speech Commands protocol's ten keywords.</summary>
    public static readonly IReadOnlyList<string> SpeechCommands10 =
        ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

    /// <summary>A model's label order: keywords in the order given, then unknown, then silence.</summary>
    public static IReadOnlyList<string> ForKeywords(IEnumerable<string> keywords) =>
        [.. keywords, Unknown, Silence];

    /// <summary>Folder name used on disk for a label or a phrase ("trick or treat" → "trick_or_treat").</summary>
    public static string ToFolderName(string label) => label.Trim().ToLowerInvariant().Replace(' ', '_');
}
