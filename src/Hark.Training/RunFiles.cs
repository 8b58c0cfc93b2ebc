using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hark.Features;

namespace Hark.Training;

/// <summary>One epoch's numbers. Accuracies are fractions in [0, 1].</summary>
public sealed record EpochResult(
    int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds);

/// <summary>Where the data came from, to refuse resuming on different data.</summary>
public sealed record DataSummary(string Path, string Fingerprint, int TrainClips, int ValidationClips, int TestClips);

/// <summary>
/// The single configuration file of a run (<c>RUN/model.json</c>): what a consumer needs to rebuild the model and
/// its input (front end, labels, model name and input shape) and how it was trained.
/// </summary>
public sealed record RunConfig
{
    public const string FileName = "model.json";
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public required string Model { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required int Frames { get; init; }
    public required int FeaturesPerFrame { get; init; }
    public required long Parameters { get; init; }
    public required long Macs { get; init; }

    /// <summary>The front end's configuration, as produced by <see cref="FrontEndJson.ToNode"/>.</summary>
    public required JsonObject FrontEnd { get; init; }

    public required TrainingOptions Training { get; init; }
    public required DataSummary Data { get; init; }
    public string WeightsFile { get; init; } = RunFiles.WeightsFile;
}

/// <summary>The run's training record (<c>RUN/metrics.json</c>).</summary>
public sealed record TrainingMetrics
{
    public const string FileName = "metrics.json";

    public required IReadOnlyList<string> Labels { get; init; }
    public required IReadOnlyList<EpochResult> History { get; init; }

    /// <summary>The epoch whose weights were kept (1-based), chosen by validation accuracy.</summary>
    public required int BestEpoch { get; init; }
    public required double BestValidationAccuracy { get; init; }
    public required bool StoppedEarly { get; init; }

    /// <summary>Test accuracy of the kept weights; null when the data has no test split.</summary>
    public double? TestAccuracy { get; init; }

    /// <summary>Test confusion counts, [true label][predicted label]; null without a test split.</summary>
    public int[][]? TestConfusion { get; init; }

    /// <summary>Test accuracy of the int8 package (model.hark); null without a test split or before packaging.</summary>
    public double? Int8TestAccuracy { get; init; }

    /// <summary>Fraction of test (else validation) clips where the int8 and float models pick the same label.</summary>
    public double? Int8Top1Agreement { get; init; }
}

/// <summary>The front end's own strict JSON, embedded as an object in run files.</summary>
public static class FrontEndJson
{
    public static JsonObject ToNode(FrontEndConfig config) => JsonNode.Parse(config.ToJson())!.AsObject();

    /// <exception cref="InputFileException">The stored configuration is invalid for this version of Hark.</exception>
    public static FrontEndConfig FromNode(JsonObject node, string sourceName)
    {
        try
        {
            return FrontEndConfig.FromJson(node.ToJsonString());
        }
        catch (HarkException e)
        {
            throw new InputFileException(sourceName, $"front_end: {e.Message}", e);
        }
    }
}

/// <summary>File names and JSON conventions of a run folder.</summary>
public static class RunFiles
{
    public const string WeightsFile = "weights.dat";
    public const string CheckpointFile = "checkpoint.dat";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static void WriteJson<T>(string path, T value) =>
        WriteAtomically(path, stream => JsonSerializer.Serialize(stream, value, Json));

    /// <exception cref="InputFileException">Missing, unreadable or malformed file.</exception>
    public static T ReadJson<T>(string path)
    {
        if (!File.Exists(path)) throw new InputFileException(path, "not found (is this a training run folder?)");
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new InputFileException(path, "empty JSON document");
        }
        catch (JsonException e)
        {
            throw new InputFileException(path, $"corrupt JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new InputFileException(path, $"cannot read ({e.Message})", e);
        }
    }

    /// <summary>Writes beside the target and renames over it, so readers never see a half-written file.</summary>
    public static void WriteAtomically(string path, Action<Stream> write)
    {
        string temp = path + ".tmp";
        using (var stream = File.Create(temp)) write(stream);
        File.Move(temp, path, overwrite: true);
    }
}
