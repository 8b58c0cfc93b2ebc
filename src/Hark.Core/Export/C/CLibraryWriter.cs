using System.IO.Compression;
using System.Text;
using Hark.Engine;

namespace Hark.Export.C;

/// <summary>
/// <c>hark export --format c</c>: a self-contained C99 library for one model. The runtime (runtime/c) is copied
/// verbatim; only <c>hark_model.{h,c}</c> (<see cref="ModelSourceWriter"/>) and <c>hark_frontend_tables.{h,c}</c>
/// (<see cref="FrontEndTablesWriter"/>) are generated. Layout:
/// <code>
/// LIB/src/                      the library: add every .c to the build, include hark_kws.h
/// LIB/CMakeLists.txt            add_subdirectory(LIB) and link hark_kws
/// LIB/examples/detect_wav/      a host program printing the events of a WAV file
/// LIB/examples/nucleo-l476rg/   STM32 Nucleo-L476RG firmware: SAI MEMS microphone, DMA double buffer, LED, UART
/// LIB/arduino/Hark_MODEL.zip    Arduino library (Sketch > Include Library > Add .ZIP) with a Nano 33 BLE Sense sketch
/// LIB/README.md                 what the library is, its API, and the measured Cortex-M4 resources
/// </code>
/// </summary>
public static class CLibraryWriter
{
    public const string SourceFolder = "src";
    public const string ArduinoLibraryName = "Hark";

    private const string ExamplesPrefix = "examples/";
    private const string ArduinoPrefix = "arduino/";

    /// <summary>Writes the library sources (copied runtime + generated model) into <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> WriteSources(ModelPackage package, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (string file in RuntimeSources.Library)
        {
            RuntimeSources.CopyTo(file, Path.Combine(directory, file));
            files.Add(Path.Combine(directory, file));
        }
        FrontEndTablesWriter.Write(package.FrontEnd, directory, externalScratch: true);
        files.Add(Path.Combine(directory, FrontEndTablesWriter.HeaderFileName));
        files.Add(Path.Combine(directory, FrontEndTablesWriter.SourceFileName));
        File.WriteAllText(Path.Combine(directory, ModelSourceWriter.HeaderFileName), ModelSourceWriter.Header(package));
        File.WriteAllText(Path.Combine(directory, ModelSourceWriter.SourceFileName), ModelSourceWriter.Source(package));
        files.Add(Path.Combine(directory, ModelSourceWriter.HeaderFileName));
        files.Add(Path.Combine(directory, ModelSourceWriter.SourceFileName));
        return files;
    }

    /// <summary>The C files of the library in <paramref name="sourceDirectory"/> (what a build compiles).</summary>
    public static IReadOnlyList<string> CompilationUnits(string sourceDirectory) =>
        Directory.GetFiles(sourceDirectory, "*.c").Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Writes the whole layout into <paramref name="directory"/>, which must not exist or be empty. Callers that
    /// replace a previous export write into a fresh folder and rename it (see <c>hark export</c>).
    /// </summary>
    public static void WriteLayout(ModelPackage package, string directory, string readme)
    {
        string src = Path.Combine(directory, SourceFolder);
        WriteSources(package, src);
        RuntimeSources.CopyTo("packaging/CMakeLists.txt", Path.Combine(directory, "CMakeLists.txt"));
        foreach (string file in RuntimeSources.All.Where(f => f.StartsWith(ExamplesPrefix, StringComparison.Ordinal)))
            RuntimeSources.CopyTo(file, Path.Combine(directory, file));
        File.WriteAllText(Path.Combine(directory, "README.md"), readme);
        WriteArduinoZip(package, src, Path.Combine(directory, "arduino", $"{ArduinoLibraryName}_{ZipName(package)}.zip"));
    }

    /// <summary>The Arduino library: library.properties, src/ (the library), examples/ (the microphone sketch).</summary>
    public static void WriteArduinoZip(ModelPackage package, string sourceDirectory, string zipPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(zipPath))!);
        string temp = zipPath + ".tmp";
        using (var zip = ZipFile.Open(temp, ZipArchiveMode.Create))
        {
            string root = ArduinoLibraryName + "/";
            AddText(zip, root + "library.properties", LibraryProperties(package));
            foreach (string file in Directory.GetFiles(sourceDirectory).Order(StringComparer.Ordinal))
                AddText(zip, root + "src/" + Path.GetFileName(file), File.ReadAllText(file));
            foreach (string file in RuntimeSources.All.Where(f => f.StartsWith(ArduinoPrefix, StringComparison.Ordinal)))
                AddText(zip, root + file[ArduinoPrefix.Length..], RuntimeSources.Read(file));
        }
        File.Move(temp, zipPath, overwrite: true);
    }

    /// <summary>Arduino's library.properties; `includes` makes the IDE's "Include Library" add hark_kws.h.</summary>
    public static string LibraryProperties(ModelPackage package)
    {
        var s = new StringBuilder();
        s.Append("name=").Append(ArduinoLibraryName).Append('\n');
        s.Append("version=").Append(SemVer(package.Metadata.ToolVersion)).Append('\n');
        s.Append("author=Hark\nmaintainer=Hark\n");
        s.Append("sentence=Keyword spotting for ").Append(string.Join(", ", package.Labels.Where(Streaming.DetectorSettings.IsKeyword)))
         .Append(" (").Append(package.Metadata.ModelName).Append(", int8), generated by hark export.\n");
        s.Append("paragraph=Continuous detection from a 16 kHz microphone: MFCC front end, int8 network and detector in C99, " +
                 "bit-identical to Hark's reference. No malloc.\n");
        s.Append("category=Signal Input/Output\nurl=https://github.com/hark-kws/hark\narchitectures=*\nincludes=hark_kws.h\n");
        return s.ToString();
    }

    private static string ZipName(ModelPackage package) =>
        string.Concat(string.Join("_", package.Labels.Where(Streaming.DetectorSettings.IsKeyword))
            .Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));

    private static string SemVer(string version)
    {
        string core = version.Split('+', '-')[0];
        return core.Count(c => c == '.') == 2 ? core : "0.1.0";
    }

    private static void AddText(ZipArchive zip, string name, string text)
    {
        // A fixed time keeps the zip identical run to run for the same model.
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
        writer.Write(text);
    }
}
