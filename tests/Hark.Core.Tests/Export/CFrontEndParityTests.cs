using Hark.Audio;
using Hark.Engine;
using Hark.Export.C;
using Hark.Features;
using Hark.Quantization;
using Xunit.Abstractions;

namespace Hark.Tests.Export;

/// <summary>
/// runtime/c/hark_frontend.c must compute the C# <see cref="FrontEnd"/>'s features bit for bit, for every preset, in
/// one-clip and streaming mode (random chunk sizes and output limits), and quantize them to int8 exactly like
/// <see cref="Quantizer.QuantizeValues"/>. The tables come from <see cref="FrontEndTablesWriter"/>. Runs on the host
/// (gcc, also under sanitizers and with the software square root) and on an emulated Cortex-M4F (arm-none-eabi-gcc
/// + QEMU mps2-an386, semihosting file I/O). Skipped when a tool is missing; real clips are used when the Speech
/// Commands dev set is present, synthetic edge cases always.
/// </summary>
public class CFrontEndParityTests(ITestOutputHelper log)
{
    private const float QuantScale = 0.3f;
    private const int QuantZeroPoint = 7;
    private static readonly string[] Words = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"];

    public static TheoryData<string> Presets() => new(FrontEndConfig.PresetNames);

    [SkippableTheory, MemberData(nameof(Presets))]
    public void Host_C_front_end_matches_CSharp_bit_for_bit(string preset)
    {
        string gcc = Require("gcc");
        var clips = Clips(realPerWord: 4);
        int compared = RunParity(preset, clips, (dir, tables) => HostDriver(gcc, dir, tables, "-O2"));
        Assert.True(compared > 0);
    }

    /// <summary>Configs beyond the presets: every FFT stage layout (odd and even stage counts, 4 to 1024 points),
    /// every window, pre-emphasis, power and magnitude spectra, other sample rates.</summary>
    private static readonly Dictionary<string, FrontEndConfig> CustomConfigs = new()
    {
        ["fft1024-blackman-preemphasis"] = new() { WindowMs = 50, StrideMs = 25, FftSize = 1024, Window = WindowFunction.Blackman,
            Spectrum = SpectrumKind.Power, PreEmphasis = 0.5, MelBands = 64, HighHz = 7600, Coefficients = 20 },
        ["fft256-rectangular"] = new() { WindowMs = 16, StrideMs = 8, FftSize = 256, MelBands = 24,
            Window = WindowFunction.Rectangular, Output = FeatureKind.LogMel, Coefficients = 0 },
        ["fft16-8khz"] = new() { SampleRate = 8000, WindowMs = 2, StrideMs = 1, FftSize = 16, MelBands = 3, LowHz = 100,
            HighHz = 3000, Coefficients = 3, Window = WindowFunction.Hamming },
        ["fft4-8khz"] = new() { SampleRate = 8000, WindowMs = 0.5, StrideMs = 0.25, FftSize = 4, MelBands = 1, LowHz = 100,
            HighHz = 3900, Coefficients = 1, PreEmphasis = 0.97 },
    };

    public static TheoryData<string> CustomConfigNames() => new(CustomConfigs.Keys);

    [SkippableTheory, MemberData(nameof(CustomConfigNames))]
    public void C_front_end_matches_CSharp_for_other_configs_on_host_and_M4(string name)
    {
        string gcc = Require("gcc");
        var clips = Clips(realPerWord: 1);
        RunParity(name, CustomConfigs[name], clips, (dir, tables) => HostDriver(gcc, dir, tables, "-O2"));
        string? armGcc = CToolchain.Find("arm-none-eabi-gcc"), qemu = CToolchain.Find("qemu-system-arm");
        Skip.If(armGcc is null || qemu is null, "arm-none-eabi-gcc or qemu-system-arm missing: only checked on the host");
        RunParity(name + "-m4", CustomConfigs[name], clips, (dir, tables) => M4Runner(qemu!, M4Driver(armGcc!, dir, tables)));
    }

    /// <summary>Tables written in full (no symmetric window half, no compact twiddles) take the C code's other paths.</summary>
    [SkippableFact]
    public void Full_tables_give_the_same_features_as_compact_ones()
    {
        string gcc = Require("gcc");
        var clips = Clips(realPerWord: 1);
        foreach (string preset in new[] { "mfcc10", "logmel40" })
            RunParity(preset, FrontEndConfig.Preset(preset), clips, (dir, tables) => HostDriver(gcc, dir, tables, "-O2"), compact: false);
    }

    [SkippableFact]
    public void Host_C_front_end_matches_under_address_and_undefined_behaviour_sanitizers()
    {
        string gcc = Require("gcc");
        var clips = Clips(realPerWord: 1);
        foreach (string preset in new[] { "mfcc10", "mfcc13" })
            RunParity(preset, clips, (dir, tables) => HostDriver(gcc, dir, tables,
                "-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all"));
    }

    /// <summary>Firmware projects build in GNU mode, where GCC would fuse multiply-adds: the library must prevent it.</summary>
    [SkippableFact]
    public void Firmware_style_builds_without_fp_contract_flag_still_match()
    {
        string gcc = Require("gcc");
        var clips = Clips(realPerWord: 1);
        RunParity("mfcc10", clips, (dir, tables) => HostDriver(gcc, dir, tables, "-O3 -march=native", "-std=gnu11 -Wall -Wextra -Werror"));
        string? armGcc = CToolchain.Find("arm-none-eabi-gcc"), qemu = CToolchain.Find("qemu-system-arm");
        Skip.If(armGcc is null || qemu is null, "arm-none-eabi-gcc or qemu-system-arm missing: M4 firmware-style build not checked");
        RunParity("mfcc13", clips, (dir, tables) => M4Runner(qemu!, M4Driver(armGcc!, dir, tables, "-std=gnu11 -Wall -Wextra -Werror -Os")));
    }

    [SkippableFact]
    public void Software_square_root_gives_the_same_features_as_the_FPU_instruction()
    {
        string gcc = Require("gcc");
        RunParity("mfcc10", Clips(realPerWord: 2), (dir, tables) => HostDriver(gcc, dir, tables, "-O2 -DHARK_FRONTEND_SOFT_SQRT"));
    }

    [SkippableTheory, MemberData(nameof(Presets))]
    public void Cortex_M4_front_end_on_QEMU_matches_CSharp_bit_for_bit(string preset)
    {
        string armGcc = Require("arm-none-eabi-gcc");
        string qemu = Require("qemu-system-arm");
        var clips = Clips(realPerWord: 3);
        RunParity(preset, clips, (dir, tables) => M4Runner(qemu, M4Driver(armGcc, dir, tables)));
    }

    [Fact]
    public void Committed_default_tables_are_the_writers_current_output()
    {
        string dir = Path.Combine(CToolchain.RuntimeDir, "tests", "mfcc10");
        var config = FrontEndConfig.Preset("mfcc10");
        if (Environment.GetEnvironmentVariable("HARK_REGENERATE_C_TABLES") == "1") FrontEndTablesWriter.Write(config, dir);
        Assert.Equal(FrontEndTablesWriter.Header(config), File.ReadAllText(Path.Combine(dir, FrontEndTablesWriter.HeaderFileName)));
        Assert.Equal(FrontEndTablesWriter.Source(config), File.ReadAllText(Path.Combine(dir, FrontEndTablesWriter.SourceFileName)));
    }

    // ---- one parity run --------------------------------------------------------------------------------------

    private delegate void Driver(string input, string output);

    /// <summary>Writes the preset's tables, builds a driver, runs every clip through C and C#; returns floats compared.</summary>
    private int RunParity(string preset, IReadOnlyList<ParityClip> clips, Func<string, string, Driver> build) =>
        RunParity(preset, FrontEndConfig.Preset(preset), clips, build);

    private int RunParity(string preset, FrontEndConfig config, IReadOnlyList<ParityClip> clips,
                                 Func<string, string, Driver> build, bool compact = true)
    {
        var frontEnd = new FrontEnd(config);
        string dir = TestPaths.NewTempDir($"cfrontend-{preset}");
        string tables = Path.Combine(dir, "tables");
        FrontEndTablesWriter.Write(config, tables, compact: compact);
        if (!compact) Assert.DoesNotContain("_twiddles = 1", File.ReadAllText(Path.Combine(tables, FrontEndTablesWriter.SourceFileName)));
        Driver driver = build(dir, tables);
        float[] raw = QuantizationEdgeValues();
        string input = Path.Combine(dir, "in.bin"), output = Path.Combine(dir, "out.bin");
        using (var w = new BinaryWriter(File.Create(input)))
        {
            w.Write(clips.Count);
            w.Write(QuantScale);
            w.Write(QuantZeroPoint);
            foreach (var clip in clips)
            {
                w.Write(clip.Samples.Length);
                w.Write(clip.Chunks.Length);
                foreach (var (length, maxFrames) in clip.Chunks) { w.Write(length); w.Write(maxFrames); }
                foreach (short s in clip.Samples) w.Write(s);
            }
            w.Write(raw.Length);
            foreach (float v in raw) w.Write(v);
        }
        driver(input, output);

        int compared = 0, quantized = raw.Length, perFrame = frontEnd.FeaturesPerFrame;
        var quantization = new TensorQuantization(QuantScale, QuantZeroPoint);
        using var r = new BinaryReader(File.OpenRead(output));
        foreach (var clip in clips)
        {
            var expected = new float[frontEnd.FramesPerClip * perFrame];
            frontEnd.ComputeClip(clip.Samples, expected);
            Assert.Equal(frontEnd.FramesPerClip, r.ReadInt32());
            AssertSameBits(expected, ReadFloats(r, expected.Length), preset, clip.Name, "clip", perFrame);
            var expectedInt8 = new sbyte[expected.Length];
            Quantizer.QuantizeValues(expected, quantization, expectedInt8);
            AssertSameInt8(expectedInt8, ReadInt8(r, expected.Length), $"{preset} {clip.Name} quantized clip");

            var stream = new FrontEndStream(frontEnd);
            var streamed = new List<float>();
            int position = 0;
            foreach (var (length, _) in clip.Chunks)
            {
                var buffer = new float[stream.FramesFor(length) * perFrame];
                int frames = stream.Push(clip.Samples.AsSpan(position, length), buffer);
                streamed.AddRange(buffer.AsSpan(0, frames * perFrame).ToArray());
                position += length;
            }
            int streamedFrames = r.ReadInt32();
            Assert.Equal(streamed.Count / perFrame, streamedFrames);
            AssertSameBits(streamed.ToArray(), ReadFloats(r, streamed.Count), preset, clip.Name, "stream", perFrame);
            compared += expected.Length + streamed.Count;
            quantized += expected.Length;
        }
        var expectedRaw = new sbyte[raw.Length];
        Quantizer.QuantizeValues(raw, quantization, expectedRaw);
        AssertSameInt8(expectedRaw, ReadInt8(r, raw.Length), $"{preset} quantization edge values");
        Assert.Equal(r.BaseStream.Length, r.BaseStream.Position);
        log.WriteLine($"{preset}: {clips.Count} clips ({clips.Count(c => c.Name.Contains('/'))} real), {compared} feature " +
                         $"floats (clip + stream) and {quantized} int8 values identical");
        return compared;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string preset, string clip, string mode, int perFrame)
    {
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToUInt32Bits(expected[i]) != BitConverter.SingleToUInt32Bits(actual[i]))
                Assert.Fail($"{preset} {clip} {mode}: frame {i / perFrame} feature {i % perFrame}: C# {expected[i]:R} " +
                            $"(0x{BitConverter.SingleToUInt32Bits(expected[i]):X8}), C {actual[i]:R} " +
                            $"(0x{BitConverter.SingleToUInt32Bits(actual[i]):X8})");
    }

    private static void AssertSameInt8(sbyte[] expected, sbyte[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i]) Assert.Fail($"{what}: value {i}: C# {expected[i]}, C {actual[i]}");
    }

    private static float[] ReadFloats(BinaryReader r, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = r.ReadSingle();
        return values;
    }

    private static sbyte[] ReadInt8(BinaryReader r, int count) => r.ReadBytes(count).Select(b => (sbyte)b).ToArray();

    // ---- drivers ---------------------------------------------------------------------------------------------

    private static string Require(string tool)
    {
        string? path = CToolchain.Find(tool);
        Skip.If(path is null, $"{tool} not found on PATH: C front-end parity not checked");
        return path!;
    }

    private static string Sources(string tables, params string[] extra) =>
        string.Join(' ', new[]
        {
            Path.Combine(CToolchain.RuntimeDir, "hark_frontend.c"),
            Path.Combine(tables, FrontEndTablesWriter.SourceFileName),
            Path.Combine(CToolchain.RuntimeDir, "tests", "frontend_driver.c"),
        }.Concat(extra).Select(p => $"\"{p}\""));

    private static Driver HostDriver(string gcc, string dir, string tables, string flags, string language = CToolchain.StrictFlags)
    {
        string exe = Path.Combine(dir, "frontend_driver");
        CToolchain.Run(gcc, $"{language} {flags} -I\"{tables}\" -I\"{CToolchain.RuntimeDir}\" " +
                            $"{Sources(tables)} -o \"{exe}\"");
        return (input, output) => CToolchain.Run(exe, $"\"{input}\" \"{output}\"");
    }

    private static string M4Driver(string armGcc, string dir, string tables, string flags = CToolchain.StrictFlags + " -O2")
    {
        string elf = Path.Combine(dir, "frontend_driver.elf");
        string platform = Path.Combine(CToolchain.RuntimeDir, "platform", "mps2-an386");
        CToolchain.Run(armGcc,
            $"{flags} {CToolchain.M4Flags} -DHARK_DRIVER_SEMIHOSTING -I\"{tables}\" " +
            $"-I\"{CToolchain.RuntimeDir}\" {Sources(tables, Path.Combine(platform, "startup.c"))} " +
            $"-T \"{Path.Combine(platform, "mps2-an386.ld")}\" -nostartfiles --specs=rdimon.specs -Wl,--gc-sections " +
            $"-lc -lrdimon -o \"{elf}\"");
        return elf;
    }

    /// <summary>Runs the semihosting driver in QEMU, in the input's folder (semihosting paths are relative to it).</summary>
    private static Driver M4Runner(string qemu, string elf) => (input, output) =>
    {
        string work = Path.GetDirectoryName(input)!;
        File.Copy(input, Path.Combine(work, "fe_in.bin"), overwrite: true);
        CToolchain.Run(qemu, $"-M mps2-an386 -nographic -semihosting -kernel \"{elf}\"", work, TimeSpan.FromMinutes(5));
        File.Move(Path.Combine(work, "fe_out.bin"), output, overwrite: true);
    };

    // ---- audio -----------------------------------------------------------------------------------------------

    private sealed record ParityClip(string Name, short[] Samples, (int Length, int MaxFrames)[] Chunks);

    /// <summary>Synthetic edge cases, plus real clips (realPerWord of each core word, silence, noise) when present.</summary>
    private static List<ParityClip> Clips(int realPerWord)
    {
        var clips = new List<(string Name, short[] Samples)>
        {
            ("silence", new short[16000]),
            ("empty", []),
            ("full-scale square", Enumerable.Range(0, 16000).Select(i => (short)((i / 7) % 2 == 0 ? 32767 : -32768)).ToArray()),
            ("impulse", Enumerable.Range(0, 16000).Select(i => (short)(i == 8000 ? 1 : 0)).ToArray()),
            ("chirp short", Features.TestSignals.ChirpWithNoise(9000)),
            ("chirp long", Features.TestSignals.ChirpWithNoise(24000)),
            ("tiny noise", TinyNoise(16000)),
        };
        string? data = Directory.Exists(TestPaths.SpeechCommandsDev) ? TestPaths.SpeechCommandsDev : null;
        if (data is not null)
        {
            foreach (string word in Words.Append("_silence_"))
                foreach (string file in Directory.GetFiles(Path.Combine(data, word), "*.wav").Order(StringComparer.Ordinal).Take(realPerWord))
                    clips.Add(($"{word}/{Path.GetFileName(file)}", ToInt16(WavReader.Read(file).Samples)));
            float[] noise = WavReader.Read(Path.Combine(data, "_background_noise_", "running_tap.wav")).Samples;
            clips.Add(("_background_noise_/running_tap.wav 5-6.5 s", ToInt16(noise.AsSpan(5 * 16000, 24000).ToArray())));
        }
        return clips.Select(c => new ParityClip(c.Name, c.Samples, Chunking(c.Name, c.Samples.Length))).ToList();
    }

    private static short[] ToInt16(float[] samples)
    {
        var result = new short[samples.Length];
        FrontEnd.Quantize(samples, result);
        return result;
    }

    private static short[] TinyNoise(int length)
    {
        var random = DeterministicRandom.For(7, "cfrontend/tiny-noise");
        return Enumerable.Range(0, length).Select(_ => (short)random.NextInt(-2, 3)).ToArray();
    }

    /// <summary>Random chunk lengths (0 included) and first-push frame limits (0-3), at most 64 chunks.</summary>
    private static (int, int)[] Chunking(string name, int length)
    {
        var random = DeterministicRandom.For(20261125, "cfrontend/chunks/" + name);
        var chunks = new List<(int, int)>();
        int left = length;
        while (left > 0 && chunks.Count < 63)
        {
            int take = Math.Min(left, random.NextInt(0, 900));
            chunks.Add((take, random.NextInt(0, 4)));
            left -= take;
        }
        chunks.Add((left, random.NextInt(0, 4)));
        return chunks.ToArray();
    }

    /// <summary>Ties of x / scale (exact halves, and one ulp either side), clamps, NaN, infinities, signed zeros.</summary>
    private static float[] QuantizationEdgeValues()
    {
        var values = new List<float> { 0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, -1e30f,
                                       float.Epsilon, -float.Epsilon, 0.1f * QuantScale, -0.1f * QuantScale };
        for (int k = -140; k <= 130; k++)
        {
            float tie = (k + 0.5f) * QuantScale;
            values.Add(tie);
            values.Add(MathF.BitIncrement(tie));
            values.Add(MathF.BitDecrement(tie));
            values.Add(k * QuantScale);
        }
        return values.ToArray();
    }
}
