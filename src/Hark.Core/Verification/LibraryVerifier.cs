using System.Buffers.Binary;
using System.Text;
using Hark.Audio;
using Hark.Engine;
using Hark.Export.C;
using Hark.Features;
using Hark.Quantization;
using Hark.Streaming;

namespace Hark.Verification;

/// <summary>One clip to verify: a name for reports and its int16 samples at the model's rate.</summary>
public sealed record VerifyClip(string Name, short[] Samples);

/// <summary>A value the C library computed differently from the reference engine.</summary>
/// <param name="Clip">Which clip (or "stream").</param>
/// <param name="Tensor">features (the int8 network input), scores (the int8 softmax output), status or events.</param>
/// <param name="Index">Position in the tensor (for features: frame * features + feature).</param>
public sealed record Mismatch(string Clip, string Tensor, int Index, long Expected, long Actual);

/// <summary>The stream check: the clips end to end pushed in random chunk sizes through both detectors.</summary>
public sealed record StreamComparison(double Seconds, int ExpectedEvents, int ActualEvents, long Samples, long Frames,
    long Inferences, bool Identical);

/// <summary>What one target computed, compared with the reference.</summary>
public sealed record TargetVerification(CTarget Target, int Clips, int MismatchedClips, IReadOnlyList<Mismatch> Mismatches,
    StreamComparison Stream);

/// <summary>
/// <c>hark verify</c>: builds the exported C library with the verification harness, runs every clip through
/// <c>hark_kws_classify</c> and a stream of all clips through <c>hark_kws_push</c>, on the host and on the emulated
/// Cortex-M4, and compares every int8 feature, every int8 score and every detection event with the reference
/// (<see cref="FrontEnd"/>, <see cref="Int8Engine"/>, <see cref="KeywordStream"/>). Nothing is tolerated: a single
/// differing byte is a mismatch.
/// </summary>
public static class LibraryVerifier
{
    /// <summary>Longest stream the check builds (the clips end to end, cut here).</summary>
    public static readonly Dictionary<CTarget, int> MaxStreamSeconds = new() { [CTarget.Host] = 3600, [CTarget.CortexM4] = 120 };

    public const uint StreamChunkSeed = 20261201;

    public static TargetVerification Verify(ModelPackage package, IReadOnlyList<VerifyClip> clips, CTarget target,
        string workDir, bool sanitize = false)
    {
        Directory.CreateDirectory(workDir);
        string source = Path.Combine(workDir, "lib");
        CLibraryWriter.WriteSources(package, source);
        string audio = Path.Combine(workDir, "audio");
        Directory.CreateDirectory(audio);
        var job = new StringBuilder();
        for (int i = 0; i < clips.Count; i++)
        {
            string path = Path.Combine(audio, $"clip{i:D5}.wav");
            WriteWav(path, clips[i].Samples, package.FrontEnd.SampleRate);
            job.Append("clip ").Append(path).Append('\n');
        }
        short[] stream = StreamOf(clips, MaxStreamSeconds[target] * package.FrontEnd.SampleRate);
        string streamPath = Path.Combine(audio, "stream.wav");
        WriteWav(streamPath, stream, package.FrontEnd.SampleRate);
        job.Append("stream ").Append(StreamChunkSeed).Append(' ').Append(streamPath).Append('\n');

        byte[] output = target == CTarget.Host
            ? CBuilds.RunHost(CBuilds.BuildHostHarness(source, workDir, sanitize), job.ToString(), workDir, TimeSpan.FromMinutes(30))
            : CBuilds.RunM4(CBuilds.BuildM4Harness(source, workDir), job.ToString(), workDir, TimeSpan.FromMinutes(60));
        return Compare(package, clips, stream, output, target);
    }

    /// <summary>
    /// The clips end to end, at most <paramref name="maxSamples"/> long: when they do not all fit, evenly spaced ones,
    /// so a short stream still hears every kind of clip (sorted data would otherwise give only its first label).
    /// </summary>
    public static short[] StreamOf(IReadOnlyList<VerifyClip> clips, int maxSamples)
    {
        long total = clips.Sum(c => (long)c.Samples.Length);
        double every = total <= maxSamples ? 1 : (double)total / maxSamples;
        var all = new List<short>();
        for (double at = 0; (int)at < clips.Count && all.Count < maxSamples; at += every)
        {
            var clip = clips[(int)at];
            all.AddRange(clip.Samples.AsSpan(0, Math.Min(clip.Samples.Length, maxSamples - all.Count)).ToArray());
        }
        return all.ToArray();
    }

    private static TargetVerification Compare(ModelPackage package, IReadOnlyList<VerifyClip> clips, short[] stream,
        byte[] output, CTarget target)
    {
        using var engine = package.CreateEngine();
        var frontEnd = new FrontEnd(package.FrontEnd);
        var features = new float[engine.InputLength];
        var expectedInput = new sbyte[engine.InputLength];
        var expectedScores = new sbyte[engine.OutputLength];
        var mismatches = new List<Mismatch>();
        int mismatchedClips = 0, at = 0;
        var reader = new Reader(output);
        foreach (var clip in clips)
        {
            frontEnd.ComputeClip(clip.Samples, features);
            Quantizer.QuantizeValues(features, engine.Graph.InputQuantization, expectedInput);
            engine.RunInt8(expectedInput, expectedScores);
            int status = reader.Int32();
            var actualInput = reader.Bytes(engine.InputLength);
            var actualScores = reader.Bytes(engine.OutputLength);
            int before = mismatches.Count;
            if (status != 0) mismatches.Add(new Mismatch(clip.Name, "status", 0, 0, status));
            else
            {
                Diff(mismatches, clip.Name, "features", expectedInput, actualInput);
                Diff(mismatches, clip.Name, "scores", expectedScores, actualScores);
            }
            if (mismatches.Count > before) mismatchedClips++;
            at++;
        }

        var reference = new KeywordStream(engine, package.Detector);
        var expectedEvents = new List<DetectionEvent>();
        reference.Push(stream, expectedEvents);
        int streamStatus = reader.Int32(), eventCount = reader.Int32();
        var actualEvents = new List<(int Label, long Sample, int Score)>();
        for (int i = 0; i < eventCount; i++) actualEvents.Add((reader.Int32(), reader.Int64(), reader.Int32()));
        long samples = reader.Int64(), frames = reader.Int64(), inferences = reader.Int64();
        int dropped = reader.Int32();
        int streamMismatches = mismatches.Count;
        if (streamStatus != 0) mismatches.Add(new Mismatch("stream", "status", 0, 0, streamStatus));
        if (dropped != 0) mismatches.Add(new Mismatch("stream", "dropped events", 0, 0, dropped));
        if (samples != reference.SamplesPushed) mismatches.Add(new Mismatch("stream", "samples", 0, reference.SamplesPushed, samples));
        if (frames != reference.FramesComputed) mismatches.Add(new Mismatch("stream", "frames", 0, reference.FramesComputed, frames));
        if (inferences != reference.Inferences) mismatches.Add(new Mismatch("stream", "inferences", 0, reference.Inferences, inferences));
        for (int i = 0; i < Math.Max(expectedEvents.Count, actualEvents.Count); i++)
        {
            var e = i < expectedEvents.Count ? expectedEvents[i] : default;
            var a = i < actualEvents.Count ? actualEvents[i] : (Label: -1, Sample: -1L, Score: -1);
            if (i >= expectedEvents.Count || i >= actualEvents.Count)
                mismatches.Add(new Mismatch("stream", "event count", i, expectedEvents.Count, actualEvents.Count));
            else if (e.Label != a.Label) mismatches.Add(new Mismatch("stream", "event label", i, e.Label, a.Label));
            else if (e.Sample != a.Sample) mismatches.Add(new Mismatch("stream", "event sample", i, e.Sample, a.Sample));
            else if (e.Score != a.Score) mismatches.Add(new Mismatch("stream", "event score", i, e.Score, a.Score));
            if (mismatches.Count > streamMismatches + 20) break;
        }
        if (!reader.AtEnd) throw new HarkException($"verification harness ({target}) wrote more output than expected");
        var comparison = new StreamComparison((double)stream.Length / package.FrontEnd.SampleRate, expectedEvents.Count,
            actualEvents.Count, samples, frames, inferences, mismatches.Count == streamMismatches);
        return new TargetVerification(target, clips.Count, mismatchedClips, mismatches, comparison);
    }

    private static void Diff(List<Mismatch> into, string clip, string tensor, ReadOnlySpan<sbyte> expected, ReadOnlySpan<byte> actual)
    {
        for (int i = 0; i < expected.Length; i++)
            if ((sbyte)actual[i] != expected[i])
                into.Add(new Mismatch(clip, tensor, i, expected[i], (sbyte)actual[i]));
    }

    internal static void WriteWav(string path, ReadOnlySpan<short> samples, int sampleRate)
    {
        var floats = new float[samples.Length];
        for (int i = 0; i < samples.Length; i++) floats[i] = samples[i] / 32768f;
        WavWriter.WritePcm16(path, floats, sampleRate);
    }

    /// <summary>Little-endian reads of the harness output; running short means the harness broke its format.</summary>
    private sealed class Reader(byte[] bytes)
    {
        private int _at;
        public bool AtEnd => _at == bytes.Length;

        public ReadOnlySpan<byte> Bytes(int n)
        {
            if (_at + n > bytes.Length) throw new HarkException("verification harness output is truncated (the C program stopped early)");
            var span = bytes.AsSpan(_at, n);
            _at += n;
            return span;
        }

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));
        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));
    }
}
