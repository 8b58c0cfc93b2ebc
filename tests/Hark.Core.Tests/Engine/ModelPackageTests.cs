using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using Hark.Engine;

namespace Hark.Tests.Engine;

public class ModelPackageTests
{
    private const string Source = "test/model.hark";

    /// <summary>Recomputes the trailing SHA-256, so a mutation reaches the structural checks behind the checksum.</summary>
    private static byte[] Reseal(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        SHA256.HashData(copy.AsSpan(0, copy.Length - 32)).CopyTo(copy, copy.Length - 32);
        return copy;
    }

    private static string Problem(byte[] bytes) =>
        Assert.Throws<InputFileException>(() => ModelPackage.Parse(bytes, Source)).Problem;

    [Fact]
    public void Round_trip_is_bit_exact_and_the_loaded_engine_gives_the_same_outputs()
    {
        var package = TestGraphs.Package(11);
        byte[] bytes = package.ToBytes();
        var loaded = ModelPackage.Parse(bytes, Source);
        Assert.Equal(bytes, loaded.ToBytes());
        Assert.Equal(package.Metadata, loaded.Metadata);
        Assert.Equal(package.Labels, loaded.Labels);
        Assert.Equal(package.FrontEnd, loaded.FrontEnd);

        string dir = TestPaths.NewTempDir("package");
        package.Save(Path.Combine(dir, ModelPackage.FileName));
        using var fromRun = Int8Engine.Load(dir);
        using var original = package.CreateEngine();
        foreach (var x in TestGraphs.Inputs(10, 12))
            Assert.Equal(original.PredictBatch(x, 1)[0], fromRun.PredictBatch(x, 1)[0]);
        Assert.False(File.Exists(Path.Combine(dir, ModelPackage.FileName + ".tmp")));
    }

    [Fact]
    public void Every_truncation_is_refused()
    {
        byte[] bytes = TestGraphs.Package(13).ToBytes();
        for (int length = 0; length < bytes.Length; length += length < 64 ? 1 : 97)
            Assert.NotEmpty(Problem(bytes[..length]));
        Assert.Contains("checksum", Problem(bytes[..^1]));
        Assert.Contains("too short", Problem(bytes[..3]));
    }

    [Fact]
    public void Any_flipped_byte_is_a_checksum_error()
    {
        byte[] bytes = TestGraphs.Package(14).ToBytes();
        Gen.Select(Gen.Int[0, bytes.Length - 1], Gen.Byte[1, 255]).Sample((position, flip) =>
        {
            var corrupt = (byte[])bytes.Clone();
            corrupt[position] ^= flip;
            string problem = Problem(corrupt);
            Assert.True(problem.Contains("checksum") || problem.Contains("magic") || problem.Contains("format"), problem);
        }, iter: 300);
    }

    [Fact]
    public void Mutated_content_with_a_valid_checksum_loads_or_fails_with_an_input_file_error()
    {
        byte[] bytes = TestGraphs.Package(15).ToBytes();
        Gen.Select(Gen.Int[12, bytes.Length - 33], Gen.Byte, Gen.Int[1, 4]).Sample((position, value, run) =>
        {
            var corrupt = (byte[])bytes.Clone();
            for (int i = position; i < Math.Min(position + run, bytes.Length - 32); i++) corrupt[i] = value;
            try
            {
                var package = ModelPackage.Parse(Reseal(corrupt), Source);
                // A mutation that still parses must still be a runnable, consistent model.
                using var engine = package.CreateEngine();
                engine.PredictBatch(TestGraphs.Inputs(1, 1)[0], 1);
            }
            catch (InputFileException e)
            {
                Assert.Equal(Source, e.FilePath);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Specific_inconsistencies_have_specific_messages()
    {
        var package = TestGraphs.Package(16);
        byte[] bytes = package.ToBytes();

        var wrongVersion = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(wrongVersion.AsSpan(8), 99);
        Assert.Contains("format 99 is not supported", Problem(wrongVersion));

        var notPackage = (byte[])bytes.Clone();
        notPackage[0] = (byte)'X';
        Assert.Contains("bad magic", Problem(notPackage));

        // Labels that disagree with the graph's output size.
        var twoLabels = new ModelPackage(package.Graph, package.FrontEnd, package.Labels, package.Metadata).ToBytes();
        byte[] relabeled = ReplaceUtf8(twoLabels, "[\"a\",\"b\",\"c\"]", "[\"a\",\"b\",\"cc\",\"d\"]");
        Assert.Contains("3 outputs but there are 4 labels", Problem(Reseal(relabeled)));

        // A front end whose frame count no longer matches the graph input.
        byte[] stride = ReplaceUtf8(bytes, "\"stride_ms\": 20", "\"stride_ms\": 10");
        Assert.Contains("front end gives 98x10", Problem(Reseal(stride)));

        // Detector settings the C library would refuse.
        byte[] detector = ReplaceUtf8(bytes, "\"thresholds\":[205,205,205]", "\"thresholds\":[205,300,205]");
        Assert.Contains("detector settings: thresholds must be 0..256", Problem(Reseal(detector)));
        byte[] garbled = ReplaceUtf8(bytes, "\"thresholds\":[205,205,205]", "\"thresholds\":{");
        Assert.Contains("detector JSON", Problem(Reseal(garbled)));

        string missing = Path.Combine(TestPaths.NewTempDir("package-missing"), "nope.hark");
        Assert.Equal($"{missing}: model package not found", Assert.Throws<InputFileException>(() => ModelPackage.Load(missing)).Message);
        string emptyRun = TestPaths.NewTempDir("package-run");
        Assert.Contains("no int8 model package", Assert.Throws<InputFileException>(() => Int8Engine.Load(emptyRun)).Message);
    }

    /// <summary>Replaces a JSON fragment and fixes up the enclosing section's length field.</summary>
    private static byte[] ReplaceUtf8(byte[] bytes, string from, string to)
    {
        byte[] f = System.Text.Encoding.UTF8.GetBytes(from), t = System.Text.Encoding.UTF8.GetBytes(to);
        int at = bytes.AsSpan().IndexOf(f);
        Assert.True(at > 0, $"'{from}' not found in the package");
        // Sections start at 16: tag, u32 length, payload. Find the one containing the fragment.
        int section = 16;
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(section + 4));
            if (at < section + 8 + length) break;
            section += 8 + length;
        }
        byte[] result = [.. bytes[..at], .. t, .. bytes[(at + f.Length)..]];
        int old = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(section + 4));
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(section + 4), old + t.Length - f.Length);
        return result;
    }
}
