using Hark.Cli.Commands;
using Spectre.Console.Cli;

namespace Hark.Cli;

public static class Program
{
    public static int Main(string[] args) => CliRunner.Run(Create(), args);

    /// <summary>Every verb, in pipeline order, so --help reads like the workflow.</summary>
    public static CommandApp Create()
    {
        var app = new CommandApp();
        app.Configure(Configure);
        return app;
    }

    private static void Configure(IConfigurator config)
    {
        config.SetApplicationName("hark");
        config.UseStrictParsing();
        config.PropagateExceptions();
        config.AddCommand<DemoCommand>("demo")
            .WithDescription("Synthesize, curate, train and evaluate the default two-keyword spotter, end to end.");
        config.AddCommand<SynthCommand>("synth")
            .WithDescription("Synthesize a Speech-Commands-layout dataset for any words, with espeak-ng and flite.");
        config.AddCommand<CurateCommand>("curate")
            .WithDescription("Build a balanced, speaker-disjoint, noise-mixed training set from recordings.");
        config.AddCommand<ClipsCommand>("clips")
            .WithDescription("Cut a long recording of a repeated word into 1-second clips, one per utterance.");
        config.AddCommand<ShowCommand>("show")
            .WithDescription("Draw a clip's waveform, spectrogram and model features to a PNG.");
        config.AddCommand<TrainCommand>("train")
            .WithDescription("Train a keyword model on a curated dataset (TorchSharp, CPU).");
        config.AddCommand<QuantizeCommand>("quantize")
            .WithDescription("Re-create a run's int8 package (model.hark): calibrate, quantize, measure int8 accuracy.");
        config.AddCommand<EvalCommand>("eval")
            .WithDescription("Evaluate a trained model on any dataset: accuracy, per-class precision/recall, confusion.");
        config.AddCommand<ExportCommand>("export")
            .WithDescription("Export a trained model: a C library for microcontrollers (with its Cortex-M4 flash, RAM and " +
                             "instruction counts), Arduino library, TFLite or ONNX.");
        config.AddCommand<VerifyCommand>("verify")
            .WithDescription("Prove the exported C library computes exactly what Hark does, clip by clip and event by event, " +
                             "on this machine and on an emulated Cortex-M4.");
        config.AddCommand<DetectCommand>("detect")
            .WithDescription("Find keywords in a recording with the streaming detector the C library runs (same events).");
        config.AddCommand<ListenCommand>("listen")
            .WithDescription("Detect keywords live from a microphone pipe (arecord ... | hark listen) or a file, with a level meter.");
        config.AddCommand<StreamBenchCommand>("stream-bench")
            .WithDescription("Build a long benchmark recording: keywords and distractor words over continuous background " +
                             "noise at random SNR and spacing, with the truth of where every word is.");
        config.AddCommand<StreamEvalCommand>("stream-eval")
            .WithDescription("Run the streaming detector over a benchmark stream: recall, false alarms per hour, DET curve.");
        config.AddCommand<CalibrateCommand>("calibrate")
            .WithDescription("Pick each keyword's threshold for a false-alarm target on a calibration stream and store it in " +
                             "model.hark (use other speakers than the stream you report on).");
    }
}
