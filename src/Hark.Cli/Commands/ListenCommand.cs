using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using Hark.Audio;
using Hark.Engine;
using Hark.Streaming;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hark.Cli.Commands;

public sealed class ListenSettings : StreamingSettings
{
    [CommandArgument(0, "[FILE]")]
    [Description("A WAV file, or - (default) for standard input: raw 16-bit little-endian mono PCM at the model's rate " +
                 "(16 kHz), or a WAV stream such as arecord's default output.")]
    public string File { get; init; } = "-";

    [CommandOption("--realtime")]
    [Description("Pace a WAV file at its real speed, as if it came from a microphone.")]
    public bool Realtime { get; init; }

    [CommandOption("--quiet")]
    [Description("No level meter and scores line on standard error; detections only.")]
    public bool Quiet { get; init; }
}

/// <summary>
/// <c>hark listen</c>: live detection from a microphone pipe (<c>arecord -f S16_LE -r 16000 -c 1 | hark listen --model RUN</c>)
/// or a file. Detections go to standard output as they happen (JSON lines with --json); a level meter and the current top
/// scores refresh on standard error. At the end it reports how much CPU the detection took per second of audio.
/// </summary>
public sealed class ListenCommand : Command<ListenSettings>
{
    private const int ChunkBytes = 1024;            // 32 ms at 16 kHz: the latency a pipe adds on top of the window
    private const double MeterSeconds = 0.1;

    public override int Execute(CommandContext context, ListenSettings settings, CancellationToken cancellationToken)
    {
        var package = ModelPackage.Load(settings.Model!);
        var detector = settings.Detector(package);
        using var engine = package.CreateEngine();
        var stream = new KeywordStream(engine, detector);
        int rate = package.FrontEnd.SampleRate;
        bool meter = !settings.Quiet && !Console.IsErrorRedirected;
        var events = new List<DetectionEvent>();
        var samples = new short[ChunkBytes / 2];
        var input = OpenInput(settings, rate, out string sourceName, out long? fileSamples);
        var cpu = Process.GetCurrentProcess();
        TimeSpan cpuStart = cpu.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        long pushed = 0, nextMeter = 0;
        int detections = 0;
        Console.Error.WriteLine($"hark: listening to {sourceName} for {string.Join(", ", package.Labels.Where(DetectorSettings.IsKeyword))} " +
                                $"({StreamingSettings.Describe(detector, package)}); Ctrl+C stops");
        try
        {
            using (input)
            {
                var reader = new PcmReader(input, sourceName);
                int n;
                while (!cancellationToken.IsCancellationRequested && (n = reader.Read(samples)) > 0)
                {
                    if (fileSamples is not null && pushed + n > fileSamples) n = (int)(fileSamples.Value - pushed);
                    if (n <= 0) break;
                    events.Clear();
                    stream.Push(samples.AsSpan(0, n), events);
                    pushed += n;
                    foreach (var e in events)
                    {
                        detections++;
                        if (meter) Console.Error.Write("\r\x1b[K");
                        if (settings.Json)
                            Console.Out.WriteLine($"{{\"label\": {System.Text.Json.JsonSerializer.Serialize(e.Name)}, \"time_s\": {e.TimeSeconds(rate):0.000}, \"score\": {e.Probability:0.000}}}");
                        else
                            Console.Out.WriteLine($"{e.TimeSeconds(rate),9:0.00} s  {e.Name}  {e.Probability:0.00}");
                    }
                    if (meter && pushed >= nextMeter)
                    {
                        nextMeter = pushed + (long)(MeterSeconds * rate);
                        Console.Error.Write("\r" + MeterLine(samples.AsSpan(0, n), stream, pushed, rate));
                    }
                    if (settings.Realtime && fileSamples is not null)
                    {
                        var due = TimeSpan.FromSeconds((double)pushed / rate) - wall.Elapsed;
                        if (due > TimeSpan.Zero) Thread.Sleep(due);
                    }
                }
            }
        }
        finally
        {
            if (meter) Console.Error.Write("\r\x1b[K");
        }
        double audioSeconds = (double)pushed / rate;
        double cpuSeconds = (cpu.TotalProcessorTime - cpuStart).TotalSeconds;
        double share = audioSeconds > 0 ? cpuSeconds / audioSeconds : 0;
        if (settings.Json)
            Console.Out.WriteLine($"{{\"summary\": {{\"audio_seconds\": {audioSeconds:0.000}, \"detections\": {detections}, " +
                                  $"\"inferences\": {stream.Inferences}, \"cpu_seconds\": {cpuSeconds:0.000}, \"cpu_share_of_one_core\": {share:0.00000}}}}}");
        Console.Error.WriteLine($"hark: {audioSeconds:0.0} s of audio, {detections} detections, {stream.Inferences} inferences; " +
                                $"CPU {cpuSeconds:0.00} s = {share:P2} of one core per second of audio");
        return CliRunner.Ok;
    }

    private static Stream OpenInput(ListenSettings settings, int rate, out string name, out long? fileSamples)
    {
        fileSamples = null;
        if (settings.File == "-")
        {
            name = "standard input";
            return Console.OpenStandardInput();
        }
        // A file goes through the WAV reader (any format, resampled), then streams as raw PCM.
        var audio = WavReader.ReadPipeline(settings.File);
        if (audio.SampleRate != rate) throw new InputFileException(settings.File, $"is {audio.SampleRate} Hz; the model needs {rate} Hz");
        var bytes = new byte[audio.Samples.Length * 2];
        for (int i = 0; i < audio.Samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), Hark.Features.FrontEnd.Quantize(audio.Samples[i]));
        name = settings.File;
        fileSamples = audio.Samples.Length;
        return new MemoryStream(bytes, writable: false);
    }

    /// <summary>"[#######        ] -23 dBFS  12.3 s  yes 0.02  no 0.01  _unknown_ 0.91  _silence_ 0.06".</summary>
    private static string MeterLine(ReadOnlySpan<short> chunk, KeywordStream stream, long pushed, int rate)
    {
        double sum = 0;
        foreach (short s in chunk) sum += (double)s * s;
        double db = chunk.Length == 0 || sum == 0 ? -96 : 10 * Math.Log10(sum / chunk.Length / (32768.0 * 32768.0));
        int bars = (int)Math.Clamp(Math.Round((db + 60) / 3), 0, 20);
        sbyte[] scores = stream.LastScores.ToArray();
        string top = string.Join("  ", Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).Take(4)
            .Select(i => $"{stream.Labels[i]} {(scores[i] + 128) / 256.0:0.00}"));
        string line = $"[{new string('#', bars)}{new string(' ', 20 - bars)}] {db,4:0} dBFS {(double)pushed / rate,7:0.0} s  {top}";
        // A terminal of unknown size (a pty nobody sized, as under script or some CI runners) reports 0 columns.
        int columns = Console.IsErrorRedirected ? 0 : Console.WindowWidth;
        int width = columns > 0 ? Math.Max(20, columns - 1) : 120;
        return line.Length > width ? line[..width] : line.PadRight(width);
    }

    /// <summary>16-bit little-endian mono PCM from a stream; a leading RIFF/WAVE header is read and checked, then skipped.</summary>
    private sealed class PcmReader(Stream input, string name)
    {
        private readonly byte[] _buffer = new byte[ChunkBytes];
        private readonly Queue<byte> _leftover = new();   // raw bytes read while looking for a header, or half a sample
        private bool _started;

        public int Read(Span<short> samples)
        {
            if (!_started)
            {
                _started = true;
                SkipWavHeader();
            }
            int want = Math.Min(samples.Length * 2, _buffer.Length), got = 0;
            while (got < want && _leftover.Count > 0) _buffer[got++] = _leftover.Dequeue();
            int read = got < want ? input.Read(_buffer, got, want - got) : 0;
            if (read > 0) got += read;
            if ((got & 1) != 0) _leftover.Enqueue(_buffer[--got]);
            for (int i = 0; i < got / 2; i++) samples[i] = BinaryPrimitives.ReadInt16LittleEndian(_buffer.AsSpan(2 * i));
            return got / 2;
        }

        private void SkipWavHeader()
        {
            var head = new byte[12];
            int got = ReadFully(head);
            if (got < 12 || !head.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !head.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            {
                foreach (byte b in head.AsSpan(0, got)) _leftover.Enqueue(b);   // raw PCM: these bytes are audio
                return;
            }
            var chunk = new byte[8];
            bool formatSeen = false;
            while (ReadFully(chunk) == 8)
            {
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk.AsSpan(4));
                if (chunk.AsSpan(0, 4).SequenceEqual("data"u8))
                {
                    if (!formatSeen) throw new InputFileException(name, "WAV stream has audio data before its fmt chunk");
                    return;
                }
                var body = new byte[Math.Min(size + (size & 1), 1u << 20)];
                if (ReadFully(body) != body.Length) break;
                if (chunk.AsSpan(0, 4).SequenceEqual("fmt "u8) && body.Length >= 16)
                {
                    int format = BinaryPrimitives.ReadUInt16LittleEndian(body), channels = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2));
                    int rate = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4)), bits = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(14));
                    if (format != 1 || channels != 1 || bits != 16 || rate != 16000)
                        throw new InputFileException(name, $"WAV stream is format {format}, {channels} channel(s), {bits}-bit, {rate} Hz; " +
                                                           "listen needs 16-bit PCM mono at 16 kHz (arecord -f S16_LE -r 16000 -c 1)");
                    formatSeen = true;
                }
            }
            throw new InputFileException(name, "WAV stream ends before its data chunk");
        }

        private int ReadFully(byte[] into)
        {
            int got = 0;
            while (got < into.Length)
            {
                int n = input.Read(into, got, into.Length - got);
                if (n <= 0) break;
                got += n;
            }
            return got;
        }
    }
}
