using System.Globalization;
using System.Text;
using Hark.Datasets;

namespace Hark.Curation;

/// <summary>
/// One row of <c>manifest.csv</c>: how one output clip was made. <see cref="Path"/> is relative to the dataset
/// folder; <see cref="Source"/> is the input recording (for silence cut from noise, the noise recording; for
/// silence made without any noise, <c>generated</c>). <see cref="SnrDb"/>, <see cref="NoiseFile"/> and
/// <see cref="NoiseOffset"/> (in samples from the recording's start) are empty when no noise was mixed in.
/// </summary>
public sealed record ManifestRow(
    string Path, string Label, Split Split, string Source, string? Speaker, double Gain, double? SnrDb,
    string? NoiseFile, int? NoiseOffset)
{
    public const string Header = "path,label,split,source,speaker,gain,snr_db,noise_file,noise_offset";

    public static string ToCsv(IEnumerable<ManifestRow> rows)
    {
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
        {
            csv.Append(Field(r.Path)).Append(',').Append(Field(r.Label)).Append(',')
                .Append(CurationSummary.SplitName(r.Split)).Append(',').Append(Field(r.Source)).Append(',')
                .Append(Field(r.Speaker ?? "")).Append(',')
                .Append(r.Gain.ToString("0.######", CultureInfo.InvariantCulture)).Append(',')
                .Append(r.SnrDb?.ToString("0.###", CultureInfo.InvariantCulture)).Append(',')
                .Append(Field(r.NoiseFile ?? "")).Append(',')
                .Append(r.NoiseOffset?.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return csv.ToString();
    }

    private static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
}
