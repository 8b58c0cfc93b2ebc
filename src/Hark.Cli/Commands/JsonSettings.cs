using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

/// <summary>Shared by every command that reports numbers.</summary>
public class JsonSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the results as one JSON document on standard output.")]
    public bool Json { get; init; }
}
