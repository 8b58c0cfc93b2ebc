namespace Hark.Audio;

/// <summary>A file that is not a WAV file Hark can read: empty, truncated, malformed or unsupported.</summary>
public sealed class WavFormatException(string filePath, string problem) : InputFileException(filePath, problem);
