using System.ComponentModel;
using Hark.Engine;
using Hark.Export.C;
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
    [Description("c: a C99 library for microcontrollers (sources, CMake project, Arduino library zip, STM32 example) with " +
                 "its measured Cortex-M4 flash, RAM and instruction counts. arduino: only the Arduino library zip. " +
                 "tflite: a fully int8 .tflite for TensorFlow Lite (Micro), labels in its metadata. " +
                 "onnx: a float model, a QDQ int8 model for tools (Netron, STM32Cube.AI) and an integer-exact int8 " +
                 "model whose outputs equal Hark's int8 engine bit for bit.")]
    public string? Format { get; init; }

    [CommandOption("--out <PATH>")]
    [Description("A folder (files are named model.*), or a file path ending in .tflite / .onnx (for onnx it names the float " +
                 "model) / .zip (arduino). For c, the library folder: replaced if it holds a previous export.")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("c: replace --out even when it is not a previous Hark library.")]
    public bool Force { get; init; }

    [CommandOption("--no-measure")]
    [Description("c: skip the Cortex-M4 build and QEMU run that measure flash, RAM and instructions.")]
    public bool NoMeasure { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model RUN is required");
        if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out PATH is required");
        return Format?.ToLowerInvariant() switch
        {
            "onnx" or "tflite" or "c" or "arduino" => ValidationResult.Success(),
            null => ValidationResult.Error("--format is required (c, arduino, tflite, onnx)"),
            _ => ValidationResult.Error($"unknown --format '{Format}' (known: c, arduino, tflite, onnx)"),
        };
    }
}

/// <summary>Writes a trained model in formats other tools open, and reports what it costs on a device.</summary>
public sealed class ExportCommand : Command<ExportSettings>
{
    public override int Execute(CommandContext context, ExportSettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        CLibraryExport? library = null;
        var written = settings.Format!.ToLowerInvariant() switch
        {
            "tflite" => WriteTflite(settings.Out!, package),
            "onnx" => WriteOnnx(settings.Model!, settings.Out!, package),
            "arduino" => WriteArduino(settings.Out!, package),
            _ => WriteC(settings, package, out library),
        };

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
                cortex_m4 = library?.M4 is { } m4 ? CLibraryExporter.ResourcesJson(m4) : null,
                cortex_m4_not_measured = library is not null && library.M4 is null ? library.NotMeasured : null,
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
        if (library is not null) AddM4Rows(table, library.M4, library.NotMeasured);
        AnsiConsole.Write(table);
        return CliRunner.Ok;
    }

    /// <summary>The Cortex-M4 rows shared by export and verify; instruction counts are never called cycles.</summary>
    internal static void AddM4Rows(Table table, Hark.Verification.M4Report? m4, string? notMeasured)
    {
        if (m4 is null)
        {
            table.AddRow("Cortex-M4", $"[grey]not measured: {Markup.Escape(notMeasured ?? "")}[/]");
            return;
        }
        var f = m4.Footprint;
        table.AddRow("Cortex-M4 flash", $"{m4.FlashBytes:N0} B (code {f.Code:N0}, weights/tables {f.ConstData:N0}, data {f.InitData:N0})");
        table.AddRow("Cortex-M4 RAM", $"{m4.RamBytes:N0} B (arena + scratch + data {f.ZeroData + f.InitData:N0}, hark_kws {f.StateBytes:N0}, stack {m4.StackBytes:N0})");
        table.AddRow("instructions per inference", $"{m4.InstructionsPerInference:N0} (estimated {Hark.Verification.M4Report.EstimatedMs(m4.InstructionsPerInference):F1} ms at 80 MHz)");
        table.AddRow("instructions per front-end hop", $"{m4.InstructionsPerHop:N0} (estimated {Hark.Verification.M4Report.EstimatedMs(m4.InstructionsPerHop):F2} ms at 80 MHz)");
        table.AddRow("real-time load", $"{m4.InstructionsPerAudioSecond:N0} instructions per second of audio (estimated {m4.EstimatedLoadAt80MHz:P1} of an 80 MHz core)");
        table.AddRow("", "[grey]QEMU instruction counts, not cycles; times are estimates at one instruction per cycle[/]");
    }

    private static List<(string Kind, string Path)> WriteC(ExportSettings settings, ModelPackage package, out CLibraryExport library)
    {
        var export = Ui.WithProgress("exporting the C library", _ =>
            CLibraryExporter.Export(package, settings.Out!, settings.Force, measure: !settings.NoMeasure));
        library = export;
        return
        [
            ("C library", Path.Combine(export.Directory, CLibraryWriter.SourceFolder, "hark_kws.h")),
            ("library README", Path.Combine(export.Directory, "README.md")),
            ("CMake project", Path.Combine(export.Directory, "CMakeLists.txt")),
            ("Arduino library", export.ArduinoZip),
        ];
    }

    private static List<(string Kind, string Path)> WriteArduino(string output, ModelPackage package)
    {
        string path = output.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)
            ? output : Path.Combine(output, $"{CLibraryWriter.ArduinoLibraryName}.zip");
        string scratch = Path.Combine(Path.GetTempPath(), $"hark-arduino-{Guid.NewGuid():N}");
        try
        {
            CLibraryWriter.WriteSources(package, scratch);
            CLibraryWriter.WriteArduinoZip(package, scratch, path);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        return [("Arduino library", path)];
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
