using System.Buffers.Binary;
using Hark.Export.C;
using Hark.Streaming;
using Hark.Tests.Export;
using Hark.Verification;
using Xunit.Abstractions;

namespace Hark.Tests.Streaming;

/// <summary>
/// 24 hours of generated audio through the C# detector and the C library on the host (in different random chunk
/// sizes): sample, frame and inference counters must come out exact (1,382,400,000 samples: past 2^30 and the int32
/// millisecond range, so a 32-bit or float counter would drift or wrap), every event time must sit on an inference
/// time, and C must equal C# event for event. The audio is integer-only noise with square-wave bursts, generated the
/// same way on both sides (hark_verify.c's synth_sample), so nothing of a day's audio is stored.
/// </summary>
public class LongRunTests(ITestOutputHelper log)
{
    private const int Seconds = 24 * 3600;
    private const uint Seed = 24;

    /// <summary>C# twin of synth_sample in runtime/c/verify/hark_verify.c.</summary>
    private static short SynthSample(long i, ref uint state)
    {
        long segment = i / 24000;
        int phase = (int)(segment % 5), period = 8 + (int)(segment * 7 % 23);
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        int v = (int)(state % 1601) - 800;
        int amplitude = 6000 + (int)(segment % 4) * 5000;
        if (phase is 1 or 3) v += i / period % 2 != 0 ? amplitude : -amplitude;
        return (short)v;
    }

    [SkippableFact]
    public void A_day_of_audio_keeps_exact_counters_and_C_equals_CSharp_event_for_event()
    {
        Skip.If(NativeTools.Find(NativeTools.HostCompiler) is null, "gcc not installed");
        var package = CLibraryTests.TestPackage(31, threshold: 110);
        // An inference every half second (25 frames) keeps the day to a minute of CPU; the counters are what is tested.
        package = package.WithDetector(package.Detector with { InferEvery = 25, RefractorySamples = 16000 });
        string work = TestPaths.NewTempDir("longrun");
        string source = Path.Combine(work, "lib");
        CLibraryWriter.WriteSources(package, source);
        string exe = CBuilds.BuildHostHarness(source, work);
        var cRun = Task.Run(() => CBuilds.RunHost(exe, $"synth {Seconds} {Seed}\n", work, TimeSpan.FromMinutes(20)));

        using var engine = package.CreateEngine();
        var stream = new KeywordStream(engine, package.Detector);
        var events = new List<DetectionEvent>();
        var block = new short[16000 * 10];
        uint state = Seed;
        for (long at = 0; at < (long)Seconds * 16000; at += block.Length)
        {
            for (int i = 0; i < block.Length; i++) block[i] = SynthSample(at + i, ref state);
            stream.Push(block, events);
        }

        long samples = (long)Seconds * 16000, frames = 1 + (samples - 480) / 320;
        Assert.Equal(samples, stream.SamplesPushed);
        Assert.Equal(frames, stream.FramesComputed);
        Assert.Equal(1 + (frames - 49) / 25, stream.Inferences);
        Assert.True(events.Count > 100, $"only {events.Count} events in a day");
        long firstEnd = 480 + 48 * 320, step = 25 * 320;
        Assert.All(events, e => Assert.Equal(0, (e.Sample - firstEnd) % step));
        Assert.True(events[^1].Sample > (long)(Seconds - 60) * 16000, "events keep coming to the end of the day");

        byte[] output = cRun.Result;
        int at8 = 0;
        int Int32() { int v = BinaryPrimitives.ReadInt32LittleEndian(output.AsSpan(at8)); at8 += 4; return v; }
        long Int64() { long v = BinaryPrimitives.ReadInt64LittleEndian(output.AsSpan(at8)); at8 += 8; return v; }
        Assert.Equal(0, Int32());
        var cEvents = new List<(int, long, int)>();
        for (int label; (label = Int32()) != -1;) cEvents.Add((label, Int64(), Int32()));
        Assert.Equal(samples, Int64());
        Assert.Equal(frames, Int64());
        Assert.Equal(stream.Inferences, Int64());
        Assert.Equal(0, Int32());
        Assert.Equal(events.Select(e => (e.Label, e.Sample, e.Score)), cEvents);
        log.WriteLine($"24 h: {events.Count} events identical in C and C#; {samples:N0} samples, {frames:N0} frames, " +
                      $"{stream.Inferences:N0} inferences; last event at {events[^1].TimeSeconds(16000):F1} s");
    }
}
