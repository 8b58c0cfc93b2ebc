namespace Hark;

/// <summary>
/// A failure the user can act on. The CLI prints <see cref="Exception.Message"/> as one line and exits 1,
/// so the message must name the file or setting and say what is wrong with it.
/// </summary>
public class HarkException : Exception
{
    public HarkException(string message) : base(message) { }
    public HarkException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A problem with one input file: the message always reads "<c>path: problem</c>".</summary>
public class InputFileException : HarkException
{
    public string FilePath { get; }
    public string Problem { get; }

    public InputFileException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner ?? new Exception(problem))
    {
        FilePath = filePath;
        Problem = problem;
    }
}
