using CsCheck;
using System.IO.Compression;
using System.Text.Json;
using Hark.Audio;
using Hark.Engine;
using Hark.Export.C;
using Hark.Features;
using Hark.Streaming;
using Hark.Tests.Engine;
using Hark.Verification;
using Xunit.Abstractions;

namespace Hark.Tests.Export;

/// <summary>
/// The generated C library (<c>hark export --format c</c>) against the C# reference, through the same harness
/// <c>hark verify</c> uses: every clip's int8 features and scores and a stream's events must be identical on the
/// host (gcc -std=c99 -Wall -Wextra -Werror, also under ASan/UBSan) and on the emulated Cortex-M4 (arm-none-eabi-gcc,
/// QEMU mps2-an386). Plus the packaging: the CMake project and its host example, the Arduino zip, the STM32 example's
/// portable part, and the exporter's safety rules. Skipped when a tool is missing.
/// </summary>
public class CLibraryTests(ITestOutputHelper log)
{
    private static string Require(string tool)
    {
        string? path = NativeTools.Find(tool);
        Skip.If(path is null, $"{tool} not found on PATH: C library not checked");
        return path!;
    }

    /// <summary>Synthetic edge cases (silence, full scale, clipping, short and long clips), and real clips when present.</summary>
    internal static List<VerifyClip> Clips(int realPerWord)
    {
        var random = DeterministicRandom.For(5, "clib/clips");
        var clips = new List<VerifyClip>
        {
            new("silence", new short[16000]),
            new("empty", []),
            new("short", Enumerable.Range(0, 3000).Select(i => (short)(i % 50 < 25 ? 9000 : -9000)).ToArray()),
            new("full-scale alternating", Enumerable.Range(0, 16000).Select(i => i % 2 == 0 ? short.MaxValue : short.MinValue).ToArray()),
            new("long chirp", Features.TestSignals.ChirpWithNoise(40000)),
            new("noise", Enumerable.Range(0, 16000).Select(_ => (short)random.NextInt(-20000, 20000)).ToArray()),
        };
        if (Directory.Exists(TestPaths.SpeechCommandsDev))
            foreach (string word in new[] { "yes", "no", "up", "house", "_silence_" })
                foreach (string file in Directory.GetFiles(Path.Combine(TestPaths.SpeechCommandsDev, word), "*.wav")
                             .Order(StringComparer.Ordinal).Take(realPerWord))
                    clips.Add(new VerifyClip($"{word}/{Path.GetFileName(file)}", ToInt16(WavReader.Read(file).Samples)));
        return clips;
    }

    private static short[] ToInt16(float[] samples)
    {
        var result = new short[samples.Length];
        FrontEnd.Quantize(samples, result);
        return result;
    }

    /// <summary>Low thresholds so the random test models fire often: the stream check then compares many events.</summary>
    private static ModelPackage Package(int seed) => TestPackage(seed, threshold: 90);

    internal static ModelPackage TestPackage(int seed, ushort threshold)
    {
        var p = TestGraphs.Package(seed);
        return p.WithDetector(p.Detector with { Thresholds = p.Labels.Select(_ => threshold).ToArray(), RefractorySamples = 8000 });
    }

    private void AssertIdentical(TargetVerification result)
    {
        foreach (var m in result.Mismatches.Take(10)) log.WriteLine($"mismatch {m.Clip} {m.Tensor}[{m.Index}]: C# {m.Expected}, C {m.Actual}");
        Assert.Empty(result.Mismatches);
        Assert.True(result.Stream.Identical);
        Assert.True(result.Stream.ExpectedEvents > 2, $"only {result.Stream.ExpectedEvents} events: the stream check compared too little");
        log.WriteLine($"{result.Target}: {result.Clips} clips identical; {result.Stream.Seconds:F0} s stream, {result.Stream.ActualEvents} " +
                      $"events, {result.Stream.Inferences} inferences identical");
    }

    [SkippableFact]
    public void Host_library_equals_the_reference_engine_clip_by_clip_and_event_by_event()
    {
        Require(NativeTools.HostCompiler);
        AssertIdentical(LibraryVerifier.Verify(Package(3), Clips(realPerWord: 8), CTarget.Host, TestPaths.NewTempDir("clib-host")));
    }

    [SkippableFact]
    public void Host_library_is_clean_under_address_and_undefined_behaviour_sanitizers()
    {
        Require(NativeTools.HostCompiler);
        AssertIdentical(LibraryVerifier.Verify(Package(4), Clips(realPerWord: 2), CTarget.Host, TestPaths.NewTempDir("clib-san"), sanitize: true));
    }

    [SkippableFact]
    public void Cortex_M4_library_on_QEMU_equals_the_reference_engine()
    {
        Require(NativeTools.ArmCompiler);
        Require(NativeTools.Qemu);
        AssertIdentical(LibraryVerifier.Verify(Package(5), Clips(realPerWord: 3), CTarget.CortexM4, TestPaths.NewTempDir("clib-m4")));
    }

    [SkippableFact]
    public void Demo_sized_DS_CNN_S_library_equals_the_engine_on_host_and_M4()
    {
        Require(NativeTools.HostCompiler);
        var package = DsCnnPackage();
        var clips = Clips(realPerWord: 4);
        AssertIdentical(LibraryVerifier.Verify(package, clips, CTarget.Host, TestPaths.NewTempDir("clib-dscnn-host")));
        Skip.If(NativeTools.Find(NativeTools.ArmCompiler) is null || NativeTools.Find(NativeTools.Qemu) is null, "no M4 toolchain");
        AssertIdentical(LibraryVerifier.Verify(package, clips.Take(12).ToList(), CTarget.CortexM4, TestPaths.NewTempDir("clib-dscnn-m4")));
    }

    /// <summary>A full-size DS-CNN-S (64 channels, 4 blocks) with random weights, as the bench uses.</summary>
    private static ModelPackage DsCnnPackage()
    {
        var graph = DsCnnGraphs.Quantized(9, 4);
        var p = new ModelPackage(graph, FrontEndConfig.Default, ["yes", "no", "up", "down"],
            new PackageMetadata("dscnn-s", "0.0", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, null, null, 20));
        // Random weights favour one class; thresholds low enough that the stream still fires.
        return p.WithDetector(p.Detector with { Thresholds = [40, 40, 40, 40] });
    }

    [SkippableFact]
    public void Cortex_M4_report_measures_flash_ram_stack_and_instructions()
    {
        Require(NativeTools.ArmCompiler);
        Require(NativeTools.Qemu);
        var package = DsCnnPackage();
        var m4 = M4Report.Measure(package, CLibraryExporter.BenchmarkAudio(package.FrontEnd), TestPaths.NewTempDir("clib-m4-report"));
        var layout = ModelSourceWriter.LayoutOf(package.Graph);
        var stats = GraphStats.Of(package.Graph);
        log.WriteLine($"flash {m4.FlashBytes} (code {m4.Footprint.Code}, rodata {m4.Footprint.ConstData}), RAM {m4.RamBytes} " +
                      $"(bss {m4.Footprint.ZeroData}, state {m4.Footprint.StateBytes}, stack {m4.StackBytes}); " +
                      $"{m4.InstructionsPerInference} instructions per inference, {m4.InstructionsPerHop} per hop");
        // The weights are in flash and the arena in RAM: the map attribution must at least hold them.
        Assert.InRange(m4.Footprint.ConstData, stats.WeightBytes + stats.BiasBytes, stats.WeightBytes + stats.BiasBytes + 20_000);
        Assert.InRange(m4.Footprint.ZeroData, layout.ArenaBytes + layout.ScratchBytes, layout.ArenaBytes + layout.ScratchBytes + 512);
        Assert.True(m4.Footprint.Code > 4000, "the kernels, front end and API are more than 4 KB of code");
        Assert.InRange(m4.Footprint.StateBytes, 1000, 3000);   // overlap samples, int8 feature ring, detector; no float scratch
        Assert.InRange(m4.StackBytes, 64, 4096);
        // 2.66M MACs cannot take fewer than 1.33M instructions (two per SMLAD); the front end needs thousands per hop.
        Assert.InRange(m4.InstructionsPerInference, stats.Macs / 2, stats.Macs * 20);
        Assert.InRange(m4.InstructionsPerHop, 5_000, 200_000);
        Assert.True(m4.InstructionsPerInferenceHop > m4.InstructionsPerInference, "a hop that infers costs more than the inference");
    }

    /// <summary>
    /// Property: audio made of random segments at the extremes of int16 (silence, DC at -32768 or 32767, full-scale
    /// square waves, clipped noise), pushed by the C library in random chunk sizes (0 to 2,000 samples, several seeds)
    /// gives exactly the C# events and counters, under AddressSanitizer and UBSan.
    /// </summary>
    [SkippableFact]
    public void Streaming_entry_takes_any_chunk_sizes_and_extreme_sample_values()
    {
        Require(NativeTools.HostCompiler);
        var package = TestPackage(12, threshold: 70);
        string work = TestPaths.NewTempDir("clib-fuzz");
        string source = Path.Combine(work, "lib");
        CLibraryWriter.WriteSources(package, source);
        string exe = CBuilds.BuildHostHarness(source, work, sanitize: true);
        using var engine = package.CreateEngine();
        var segment =
            from kind in CsCheck.Gen.Int[0, 4]
            from length in CsCheck.Gen.Int[1, 12000]
            from period in CsCheck.Gen.Int[2, 60]
            select Enumerable.Range(0, length).Select(i => kind switch
            {
                0 => (short)0,
                1 => short.MinValue,
                2 => short.MaxValue,
                3 => i / period % 2 == 0 ? short.MaxValue : short.MinValue,
                _ => (short)(((i * 7919) ^ (i >> 3) * 104729) % 3 == 0 ? short.MinValue : (i * 31337) % 65536 - 32768),
            }).ToArray();
        int runs = 0, events = 0;
        segment.Array[3, 12].Sample(segments =>
        {
            short[] audio = segments.SelectMany<short[], short>(x => x).ToArray();
            string wav = Path.Combine(work, $"fuzz{runs}.wav");
            LibraryVerifier.WriteWav(wav, audio, 16000);
            var expected = new List<DetectionEvent>();
            var reference = new KeywordStream(engine, package.Detector);
            reference.Push(audio, expected);
            var job = string.Concat(Enumerable.Range(1, 3).Select(seed => $"stream {seed * 7 + runs} {wav}\n"));
            byte[] output = CBuilds.RunHost(exe, job, work, TimeSpan.FromMinutes(5));
            var reader = new BinaryReader(new MemoryStream(output));
            for (int seed = 0; seed < 3; seed++)
            {
                Assert.Equal(0, reader.ReadInt32());
                int count = reader.ReadInt32();
                var actual = Enumerable.Range(0, count).Select(_ => (reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32())).ToList();
                Assert.Equal(expected.Select(e => (e.Label, e.Sample, e.Score)), actual);
                Assert.Equal(reference.SamplesPushed, reader.ReadInt64());
                Assert.Equal(reference.FramesComputed, reader.ReadInt64());
                Assert.Equal(reference.Inferences, reader.ReadInt64());
                Assert.Equal(0, reader.ReadInt32());
            }
            runs++;
            events += expected.Count;
        }, iter: 12, threads: 1);
        log.WriteLine($"{runs} random extreme streams x 3 chunkings: {events} events identical");
        Assert.True(events > 0);
    }

    [Fact]
    public void Committed_test_model_is_the_generators_current_output()
    {
        string dir = Path.Combine(CToolchain.RuntimeDir, "tests", "model");
        var package = TestPackage(1, threshold: 120);
        if (Environment.GetEnvironmentVariable("HARK_REGENERATE_C_TABLES") == "1")
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, ModelSourceWriter.HeaderFileName), ModelSourceWriter.Header(package));
            File.WriteAllText(Path.Combine(dir, ModelSourceWriter.SourceFileName), ModelSourceWriter.Source(package));
        }
        Assert.Equal(ModelSourceWriter.Header(package), File.ReadAllText(Path.Combine(dir, ModelSourceWriter.HeaderFileName)));
        Assert.Equal(ModelSourceWriter.Source(package), File.ReadAllText(Path.Combine(dir, ModelSourceWriter.SourceFileName)));
    }

    [Fact]
    public void Generated_model_states_its_memory_plan_and_detector_settings()
    {
        var package = TestPackage(2, threshold: 150);
        string header = ModelSourceWriter.Header(package), source = ModelSourceWriter.Source(package);
        var layout = ModelSourceWriter.LayoutOf(package.Graph);
        Assert.Contains($"#define HARK_MODEL_ARENA_BYTES {ArenaPlan.For(package.Graph).Size}\n", header);
        Assert.Contains($"#define HARK_MODEL_INPUT_OFFSET {layout.InputOffset}\n", header);
        Assert.Contains($"#define HARK_MODEL_INFER_EVERY {package.Detector.InferEvery}\n", header);
        Assert.Contains($"#define HARK_MODEL_REFRACTORY {package.Detector.RefractorySamples}\n", header);
        Assert.Contains($"#define HARK_MODEL_PACKAGE_SHA256 \"{ModelSourceWriter.PackageDigest(package)}\"", header);
        Assert.Contains("hark_model_thresholds[HARK_MODEL_LABELS] = {150, 150, 150};", source);
        // One kernel call per op (the reshape-free test graph), straight-line.
        Assert.Equal(package.Graph.Ops.Count, source.Split("!= HARK_NN_OK) return").Length - 1);
        Assert.DoesNotContain("malloc", source);
    }

    [Fact]
    public void Label_names_become_safe_C_string_literals()
    {
        Assert.Equal("\"yes\"", ModelSourceWriter.CString("yes"));
        Assert.Equal("\"trick or treat\"", ModelSourceWriter.CString("trick or treat"));
        Assert.Equal("\"a\\042b\\134c\\077\\077=\"", ModelSourceWriter.CString("a\"b\\c??="));
        Assert.Equal("\"caf\\303\\251\"", ModelSourceWriter.CString("café"));
    }

    [SkippableFact]
    public void Exported_library_builds_with_CMake_and_its_example_prints_the_reference_events()
    {
        Require(NativeTools.HostCompiler);
        string cmake = Require("cmake");
        var package = Package(6);
        string root = TestPaths.NewTempDir("clib-cmake");
        string lib = Path.Combine(root, "lib");
        CLibraryExporter.Export(package, lib, force: false, measure: false);
        string build = Path.Combine(root, "build");
        NativeTools.Run(cmake, ["-S", lib, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror"], root);
        NativeTools.Run(cmake, ["--build", build], root);

        var clips = Clips(realPerWord: 6);
        short[] stream = LibraryVerifier.StreamOf(clips, 16000 * 120);
        string wav = Path.Combine(root, "stream.wav");
        LibraryVerifier.WriteWav(wav, stream, 16000);
        string printed = NativeTools.Run(Path.Combine(build, "detect_wav"), [wav], root);

        using var engine = package.CreateEngine();
        var expected = new List<DetectionEvent>();
        new KeywordStream(engine, package.Detector).Push(stream, expected);
        var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(expected.Count > 2);
        Assert.Equal(expected.Select(e => $"{e.Sample / 16000.0:F3} {e.Name} {e.Score / 256.0:F3}"), lines);
    }

    [SkippableFact]
    public void Library_and_firmware_example_compile_warning_free_for_the_Cortex_M4_and_pass_cppcheck()
    {
        string gcc = Require(NativeTools.ArmCompiler);
        string root = TestPaths.NewTempDir("clib-arm");
        CLibraryExporter.Export(Package(7), Path.Combine(root, "lib"), force: false, measure: false);
        string src = Path.Combine(root, "lib", "src"), example = Path.Combine(root, "lib", "examples", "nucleo-l476rg");
        foreach (string unit in Directory.GetFiles(src, "*.c").Append(Path.Combine(example, "audio_capture.c")))
            NativeTools.Run(gcc, [.. CBuilds.StrictFlags.Split(' '), .. CBuilds.M4Flags.Split(' '), "-Os", "-I" + src, "-c", unit,
                "-o", Path.Combine(root, Path.GetFileNameWithoutExtension(unit) + ".o")], root);
        string? cppcheck = NativeTools.Find("cppcheck");
        Skip.If(cppcheck is null, "cppcheck not installed");
        NativeTools.Run(cppcheck!, ["--enable=warning,portability,performance", "--std=c99", "--error-exitcode=1", "-q", "-I" + src,
            .. Directory.GetFiles(src, "*.c")], root);
    }

    [Fact]
    public void Arduino_zip_is_a_library_with_properties_sources_and_the_microphone_sketch()
    {
        var package = Package(8);
        string root = TestPaths.NewTempDir("clib-arduino");
        var export = CLibraryExporter.Export(package, Path.Combine(root, "lib"), force: false, measure: false);
        using var zip = ZipFile.OpenRead(export.ArduinoZip);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet();
        foreach (string file in RuntimeSources.Library.Concat(["hark_model.h", "hark_model.c", "hark_frontend_tables.h", "hark_frontend_tables.c"]))
            Assert.Contains("Hark/src/" + file, names);
        Assert.Contains("Hark/examples/ContinuousKeyword/ContinuousKeyword.ino", names);
        using var properties = new StreamReader(zip.GetEntry("Hark/library.properties")!.Open());
        var fields = properties.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        foreach (string required in new[] { "name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url", "architectures" })
            Assert.False(string.IsNullOrWhiteSpace(fields.GetValueOrDefault(required)), $"library.properties lacks {required}");
        Assert.Matches(@"^\d+\.\d+\.\d+$", fields["version"]);
        Assert.Equal("hark_kws.h", fields["includes"]);
        // The zip's sources are the library's, byte for byte.
        using var model = new StreamReader(zip.GetEntry("Hark/src/hark_model.c")!.Open());
        Assert.Equal(File.ReadAllText(Path.Combine(export.Directory, "src", "hark_model.c")), model.ReadToEnd());
    }

    [Fact]
    public void Export_refuses_a_folder_that_is_not_a_library_and_replaces_a_previous_export_whole()
    {
        var package = Package(9);
        string root = TestPaths.NewTempDir("clib-safety");
        string user = Path.Combine(root, "mine");
        Directory.CreateDirectory(user);
        File.WriteAllText(Path.Combine(user, "notes.txt"), "keep me");
        var e = Assert.Throws<InputFileException>(() => CLibraryExporter.Export(package, user, force: false, measure: false));
        Assert.Contains("not a Hark C library", e.Message);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(user, "notes.txt")));

        string lib = Path.Combine(root, "lib");
        CLibraryExporter.Export(package, lib, force: false, measure: false);
        File.WriteAllText(Path.Combine(lib, "src", "stale.c"), "old");
        CLibraryExporter.Export(Package(10), lib, force: false, measure: false);
        Assert.False(File.Exists(Path.Combine(lib, "src", "stale.c")));
        Assert.Contains(ModelSourceWriter.PackageDigest(Package(10)), File.ReadAllText(Path.Combine(lib, "src", "hark_model.h")));
        Assert.Empty(Directory.GetDirectories(root, ".*hark-tmp*"));   // no staging folder left
        Assert.Contains("not measured", File.ReadAllText(Path.Combine(lib, "README.md")));
    }

    [SkippableFact]
    public void Export_with_the_toolchain_writes_measured_resources_into_README_and_resources_json()
    {
        Require(NativeTools.ArmCompiler);
        Require(NativeTools.Qemu);
        string lib = Path.Combine(TestPaths.NewTempDir("clib-resources"), "lib");
        var export = CLibraryExporter.Export(Package(11), lib, force: false);
        Assert.NotNull(export.M4);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(lib, "resources.json")));
        Assert.Equal(export.M4!.FlashBytes, json.RootElement.GetProperty("flash_bytes").GetInt32());
        Assert.Equal(export.M4.InstructionsPerInference, json.RootElement.GetProperty("instructions_per_inference").GetInt64());
        string readme = File.ReadAllText(Path.Combine(lib, "README.md"));
        Assert.Contains($"**{export.M4.FlashBytes:N0}**", readme);
        Assert.Contains("instructions are not cycles", readme);
    }
}
