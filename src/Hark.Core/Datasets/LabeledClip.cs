namespace Hark.Datasets;

public enum Split { Train, Validation, Test }

/// <summary>One audio file with its label, the speaker it came from (null when unknown) and its split.</summary>
public sealed record LabeledClip(string Path, string Label, string? Speaker, Split Split);
