using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Hark.Cli;

/// <summary>
/// Console conventions: results go to standard output (human tables, or one JSON document with --json);
/// progress and chatter go to standard error, so piping --json output stays clean.
/// </summary>
public static class Ui
{
    public static readonly IAnsiConsole Err = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Voice names like "en-us+f3" stay readable; the output is a terminal or a file, never HTML.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar on standard error. The work reports fractions in [0, 1]
    /// and a short status; when standard error is not a terminal the bar degrades to nothing.
    /// </summary>
    public static T WithProgress<T>(string title, Func<IProgress<ProgressReport>, T> work)
    {
        T result = default!;
        Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
                var progress = new Progress(task, title);
                result = work(progress);
                task.Value = 1.0;
            });
        return result;
    }

    private sealed class Progress(ProgressTask task, string title) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value)
        {
            task.Value = Math.Clamp(value.Fraction, 0, 1);
            task.Description = Markup.Escape(value.Status is null ? title : $"{title}: {value.Status}");
        }
    }
}
