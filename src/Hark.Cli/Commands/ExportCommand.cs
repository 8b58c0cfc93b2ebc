using System.ComponentModel;
using Hark.Engine;
using Hark.Export.Onnx;
using Hark.Export.Tflite;
using Hark.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class ExportSettings : JsonSettings
{
    [CommandOption("--model <RUN>")]
    [Description("Run folder written by hark train (its model.hark is what gets exported).")]
    public string? Model { get; init; }

    [CommandOption("--format <FORMAT>")]
    [Description("tflite: a fully int8 .tflite for TensorFlow Lite (Micro), labels in its metadata. " +
                 "onnx: a float model, a QDQ int8 model for tools (Netron, STM32Cube.AI) and an integer-exact int8 " +
                 "model whose outputs equal Hark's int8 engine bit for bit.")]
    public string? Format { get; init; }

    [CommandOption("--out <PATH>")]
    [Description("A folder (files are named model.*), or a file path ending in .tflite / .onnx (for onnx it names the float model).")]
    public string? Out { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out PATH is required");
        return Format?.ToLowerInvariant() switch
        {
            "onnx" or "tflite" => ValidationResult.Success(),
            null => ValidationResult.Error("--format is required (tflite, onnx)"),
            _ => ValidationResult.Error($"unknown --format '{Format}' (known: tflite, onnx)"),
        };
    }
}

/// <summary>Writes a trained model in formats other tools open, and reports what it costs on a device.</summary>
public sealed class ExportCommand : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        var written = settings.Format!.ToLowerInvariant() == "tflite"
            ? WriteTflite(settings.Out!, package)
            : WriteOnnx(settings.Model!, settings.Out!, package);

        var stats = GraphStats.Of(package.Graph);
        var files = written.Select(f => new { path = Path.GetFullPath(f.Path), kind = f.Kind, bytes = new FileInfo(f.Path).Length }).ToList();
        if (settings.Json)
        {
            Ui.WriteJson(new
            {
                model = package.Metadata.ModelName,
                labels = package.Labels,
                parameters = stats.Parameters,
                macs = stats.Macs,
                int8_weight_bytes = stats.WeightBytes,
                bias_bytes = stats.BiasBytes,
                peak_activation_bytes = stats.PeakActivationBytes,
                files,
            });
            return CliRunner.Ok;
        }
        var table = new Table().AddColumns("", "");
        table.AddRow("model", $"{Markup.Escape(package.Metadata.ModelName)}: {Markup.Escape(string.Join(", ", package.Labels))}");
        table.AddRow("parameters", $"{stats.Parameters:N0}");
        table.AddRow("MACs per inference", $"{stats.Macs:N0}");
        table.AddRow("int8 weights", $"{stats.WeightBytes:N0} B (+ {stats.BiasBytes:N0} B int32 bias)");
        table.AddRow("peak activations", $"{stats.PeakActivationBytes:N0} B");
        foreach (var f in files) table.AddRow(Markup.Escape(f.kind), $"{Markup.Escape(f.path)} ({f.bytes:N0} B)");
        AnsiConsole.Write(table);
        return CliRunner.Ok;
    }

    private static List<(string Kind, string Path)> WriteTflite(string output, ModelPackage package)
    {
        string path = output.EndsWith(".tflite", StringComparison.OrdinalIgnoreCase) ? output : Path.Combine(output, "model.tflite");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        TfliteExporter.Write(package, path);
        return [("int8 TFLite", path)];
    }

    private static List<(string Kind, string Path)> WriteOnnx(string run, string output, ModelPackage package)
    {
        string basePath = output.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)
            ? output[..^".onnx".Length]
            : Path.Combine(output, "model");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(basePath))!);
        var files = new List<(string, string)>
        {
            ("float ONNX", basePath + ".onnx"),
            ("QDQ int8 ONNX", basePath + ".qdq.onnx"),
            ("integer-exact int8 ONNX", basePath + ".int8.onnx"),
        };
        using (var trained = TrainedModel.Load(run))
            OnnxExporter.WriteFloat(files[0].Item2, trained.ToFloatGraph(), package.Labels);
        OnnxExporter.WriteQdq(files[1].Item2, package.Graph, package.Labels);
        OnnxExporter.WriteIntegerExact(files[2].Item2, package.Graph, package.Labels);
        return files;
    }
}
