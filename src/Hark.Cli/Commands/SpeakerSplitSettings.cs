using System.ComponentModel;
using Hark.Datasets;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

/// <summary>
/// How speakers are split into train, validation and test when the data has no list files: the same options, with
/// the same meaning, for the commands that make a split (curate) and the ones that must name the same speakers
/// again (eval --split, stream-bench --split).
/// </summary>
public class SpeakerSplitSettings : JsonSettings
{
    [CommandOption("--validation-percent <P>")]
    [Description("Speaker-hash share for validation when the data has no list files (give curate's value again where " +
                 "its split must be named). Default 10.")]
    public double ValidationPercent { get; init; } = 10;

    [CommandOption("--test-percent <P>")]
    [Description("Speaker-hash share for test when the data has no list files (as for --validation-percent). Default 10.")]
    public double TestPercent { get; init; } = 10;

    [CommandOption("--split-salt <TEXT>")]
    [Description("Prefix speakers with TEXT before the split hash: another speaker-disjoint partition (give curate's salt " +
                 "again where its split must be named). Default: none (Speech Commands' own split).")]
    public string? SplitSalt { get; init; }

    public SplitOptions SplitOptions => new(ValidationPercent, TestPercent, SplitSalt);
}
