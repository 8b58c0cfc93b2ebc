using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hark.Engine.Kernels;
using Hark.Features;
using Hark.Quantization;
using Hark.Streaming;

namespace Hark.Engine;

/// <summary>Facts about a packaged model that do not affect its outputs.</summary>
/// <param name="ModelName">Architecture name (dscnn-s, cnn1d, ...).</param>
/// <param name="ToolVersion">Version of Hark that wrote the package.</param>
/// <param name="CreatedUtc">When the package was written.</param>
/// <param name="DataFingerprint">Fingerprint of the training data (see the run's model.json), if known.</param>
/// <param name="FloatTestAccuracy">Test accuracy of the float model, if the data had a test split.</param>
/// <param name="Int8TestAccuracy">Test accuracy of this int8 graph on the same clips.</param>
/// <param name="CalibrationClips">Training clips whose features set the activation ranges.</param>
public sealed record PackageMetadata(
    string ModelName, string ToolVersion, DateTime CreatedUtc, string? DataFingerprint,
    double? FloatTestAccuracy, double? Int8TestAccuracy, int CalibrationClips);

/// <summary>
/// One deployable model in one file (<c>RUN/model.hark</c>): front end, labels, int8 graph, metadata, checksum.
/// Loading never yields a wrong model: every inconsistency is an <see cref="InputFileException"/> naming the file.
/// </summary>
/// <remarks>
/// <para><b>Format 1</b> (little-endian):</para>
/// <code>
/// "HARKMODL"            8 bytes magic
/// u32 format            1
/// u32 section count
/// sections              u32 tag (4 ASCII bytes), u32 length, payload
///   "FEND"              front-end JSON (FrontEndConfig.ToJson), UTF-8
///   "LABL"              labels as a JSON array of strings, UTF-8, in output order
///   "GRPH"              the quantized graph (below)
///   "META"              PackageMetadata as snake_case JSON, UTF-8
///   "DETC"              DetectorSettings JSON (optional: packages written before streaming get the defaults)
/// SHA-256               32 bytes over every byte before it
/// </code>
/// <para>GRPH: u32 tensor count; per tensor: u16 name length + UTF-8 name, i32 N H W C, f32 scale, i32 zero point.
/// i32 input tensor, i32 output tensor. u32 op count; per op: u8 kind (<see cref="OpKind"/>), u8 activation
/// (<see cref="FusedActivation"/>), u8 input count, i32 inputs, i32 output, i32 kernel N H W C, i32 stride H W,
/// i32 padding top bottom left right, u8 has-parameters; parameters: i32 n + n int8 weights, i32 n + n f32 weight
/// scales, i32 n + n i32 bias, i32 n + n (i32 multiplier, i32 shift). The input tensor's quantization is the
/// input quantization every runtime applies to features.</para>
/// </remarks>
public sealed class ModelPackage
{
    public const string FileName = "model.hark";
    public const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "HARKMODL"u8;
    private const int HashLength = 32;
    private const string FrontEndTag = "FEND", LabelsTag = "LABL", GraphTag = "GRPH", MetadataTag = "META", DetectorTag = "DETC";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <exception cref="ArgumentException">The parts do not fit together.</exception>
    public ModelPackage(QuantizedGraph graph, FrontEndConfig frontEnd, IReadOnlyList<string> labels, PackageMetadata metadata,
        DetectorSettings? detector = null)
    {
        var problems = Int8Engine.CompatibilityProblems(graph, frontEnd, labels);
        detector ??= DetectorSettings.Default(labels, frontEnd.SampleRate);
        problems = [.. problems, .. detector.Problems(labels.Count)];
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(graph));
        Graph = graph;
        FrontEnd = frontEnd;
        Labels = labels;
        Metadata = metadata;
        Detector = detector;
    }

    public QuantizedGraph Graph { get; }
    public FrontEndConfig FrontEnd { get; }
    public IReadOnlyList<string> Labels { get; }
    public PackageMetadata Metadata { get; }

    /// <summary>How streams become events (thresholds from <c>hark calibrate</c>, or the defaults).</summary>
    public DetectorSettings Detector { get; }

    /// <summary>The same model with other detector settings (e.g. calibrated thresholds).</summary>
    public ModelPackage WithDetector(DetectorSettings detector) => new(Graph, FrontEnd, Labels, Metadata, detector);

    public Int8Engine CreateEngine() => new(Graph, FrontEnd, Labels);

    /// <summary>The package path for a run folder, or the path itself when it is a file.</summary>
    public static string Resolve(string runDirOrPackagePath) =>
        Directory.Exists(runDirOrPackagePath) ? Path.Combine(runDirOrPackagePath, FileName) : runDirOrPackagePath;

    /// <summary>Writes the package beside <paramref name="path"/> and renames it into place (never half-written).</summary>
    public void Save(string path)
    {
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, ToBytes());
        File.Move(temp, path, overwrite: true);
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(5);
            WriteSection(w, FrontEndTag, Encoding.UTF8.GetBytes(FrontEnd.ToJson()));
            WriteSection(w, LabelsTag, JsonSerializer.SerializeToUtf8Bytes(Labels, Json));
            WriteSection(w, GraphTag, GraphBytes(Graph));
            WriteSection(w, MetadataTag, JsonSerializer.SerializeToUtf8Bytes(Metadata, Json));
            WriteSection(w, DetectorTag, Encoding.UTF8.GetBytes(Detector.ToJson()));
        }
        stream.Write(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
        return stream.ToArray();
    }

    private static void WriteSection(BinaryWriter w, string tag, byte[] payload)
    {
        w.Write(Encoding.ASCII.GetBytes(tag));
        w.Write(payload.Length);
        w.Write(payload);
    }

    private static byte[] GraphBytes(QuantizedGraph graph)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream, Encoding.UTF8);
        w.Write(graph.Tensors.Count);
        foreach (var t in graph.Tensors)
        {
            byte[] name = Encoding.UTF8.GetBytes(t.Name);
            w.Write((ushort)name.Length);
            w.Write(name);
            WriteDims(w, t.Shape);
            w.Write(t.Quantization!.Value.Scale);
            w.Write(t.Quantization.Value.ZeroPoint);
        }
        w.Write(graph.Input);
        w.Write(graph.Output);
        w.Write(graph.Ops.Count);
        foreach (var op in graph.Ops)
        {
            var s = op.Spec;
            w.Write((byte)s.Kind);
            w.Write((byte)s.Activation);
            w.Write((byte)s.Inputs.Count);
            foreach (int i in s.Inputs) w.Write(i);
            w.Write(s.Output);
            WriteDims(w, s.Kernel);
            w.Write(s.StrideH);
            w.Write(s.StrideW);
            w.Write(s.Padding.Top);
            w.Write(s.Padding.Bottom);
            w.Write(s.Padding.Left);
            w.Write(s.Padding.Right);
            w.Write(op.Params is not null);
            if (op.Params is not { } p) continue;
            w.Write(p.Weights.Length);
            w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Weights.AsSpan()));
            w.Write(p.WeightScales.Length);
            foreach (float v in p.WeightScales) w.Write(v);
            w.Write(p.Bias.Length);
            foreach (int v in p.Bias) w.Write(v);
            w.Write(p.Multipliers.Length);
            foreach (var m in p.Multipliers)
            {
                w.Write(m.Multiplier);
                w.Write(m.Shift);
            }
        }
        w.Flush();
        return stream.ToArray();
    }

    private static void WriteDims(BinaryWriter w, Dims d)
    {
        w.Write(d.N);
        w.Write(d.H);
        w.Write(d.W);
        w.Write(d.C);
    }

    /// <summary>Loads <c>model.hark</c> from a run folder, or the package file given directly.</summary>
    /// <exception cref="InputFileException">Missing, truncated, corrupt, incompatible or inconsistent; names the file.</exception>
    public static ModelPackage Load(string runDirOrPackagePath)
    {
        string path = Resolve(runDirOrPackagePath);
        if (!File.Exists(path))
            throw new InputFileException(path, Directory.Exists(runDirOrPackagePath)
                ? "no int8 model package in this run folder (train with a current hark to produce one)"
                : "model package not found");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(path, $"cannot read ({e.Message})", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates package bytes; <paramref name="sourceName"/> names them in errors.</summary>
    /// <exception cref="InputFileException">Anything wrong with the bytes.</exception>
    public static ModelPackage Parse(ReadOnlySpan<byte> bytes, string sourceName)
    {
        InputFileException Bad(string problem, Exception? inner = null) => new(sourceName, problem, inner);

        if (bytes.Length < Magic.Length + 8 || !bytes[..Magic.Length].SequenceEqual(Magic))
            throw Bad(bytes.Length < Magic.Length ? "too short to be a Hark model package" : "not a Hark model package (bad magic)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[Magic.Length..]);
        if (version != FormatVersion)
            throw Bad($"package format {version} is not supported by this version of Hark (expected {FormatVersion})");
        if (bytes.Length < Magic.Length + 8 + HashLength) throw Bad("truncated (no checksum)");
        var content = bytes[..^HashLength];
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes[^HashLength..]))
            throw Bad("checksum mismatch: the file is truncated or corrupt");

        var sections = new Dictionary<string, byte[]>();
        var reader = new SpanReader(content[(Magic.Length + 8)..], sourceName);
        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[(Magic.Length + 4)..]);
        if (count is < 0 or > 64) throw Bad($"implausible section count {count}");
        for (int i = 0; i < count; i++)
        {
            string tag = Encoding.ASCII.GetString(reader.Bytes(4));
            byte[] payload = reader.Bytes(reader.Length()).ToArray();
            if (!sections.TryAdd(tag, payload)) throw Bad($"duplicate section {tag}");
        }
        if (!reader.AtEnd) throw Bad("unexpected bytes after the last section");
        byte[] Section(string tag) => sections.TryGetValue(tag, out var s) ? s : throw Bad($"missing section {tag}");

        FrontEndConfig frontEnd;
        IReadOnlyList<string> labels;
        PackageMetadata metadata;
        DetectorSettings? detector = null;
        try
        {
            frontEnd = FrontEndConfig.FromJson(Encoding.UTF8.GetString(Section(FrontEndTag)));
        }
        catch (HarkException e) when (e is not InputFileException)
        {
            throw Bad($"front end: {e.Message}", e);
        }
        try
        {
            labels = JsonSerializer.Deserialize<string[]>(Section(LabelsTag), Json) ?? throw Bad("labels are null");
            metadata = JsonSerializer.Deserialize<PackageMetadata>(Section(MetadataTag), Json) ?? throw Bad("metadata is null");
            if (sections.TryGetValue(DetectorTag, out var detectorJson))
                detector = DetectorSettings.FromJson(Encoding.UTF8.GetString(detectorJson));
        }
        catch (JsonException e)
        {
            throw Bad($"corrupt labels, metadata or detector JSON ({e.Message})", e);
        }
        if (labels.Count < 2 || labels.Any(string.IsNullOrWhiteSpace) || labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            throw Bad("labels must be at least two distinct non-empty names");
        if (metadata.ModelName is null || metadata.ToolVersion is null) throw Bad("metadata lacks the model name or tool version");

        var graph = ReadGraph(new SpanReader(Section(GraphTag), sourceName), sourceName);
        var problems = Int8Engine.CompatibilityProblems(graph, frontEnd, labels);
        if (problems.Count > 0) throw Bad($"inconsistent model: {string.Join("; ", problems)}");
        if (detector is not null && detector.Problems(labels.Count).FirstOrDefault() is { } detectorProblem)
            throw Bad($"detector settings: {detectorProblem}");
        try
        {
            // Preparing the engine derives every multiplier; a value no kernel accepts is caught here, not at inference.
            _ = new Int8Engine(graph, frontEnd, labels);
        }
        catch (ArgumentException e)
        {
            throw Bad($"unusable quantization parameters ({e.Message})", e);
        }
        return new ModelPackage(graph, frontEnd, labels, metadata, detector);
    }

    private static QuantizedGraph ReadGraph(SpanReader r, string sourceName)
    {
        int tensorCount = r.Count(26);
        var tensors = new GraphTensor[tensorCount];
        for (int t = 0; t < tensorCount; t++)
        {
            string name = Encoding.UTF8.GetString(r.Bytes(r.UInt16()));
            Dims shape = r.Dims();
            float scale = r.Single();
            tensors[t] = new GraphTensor(name, shape, new TensorQuantization(scale, r.Int32()));
        }
        int input = r.Int32(), output = r.Int32();
        int opCount = r.Count(48);
        var ops = new GraphOp<Int8Params>[opCount];
        for (int i = 0; i < opCount; i++)
        {
            byte kind = r.Byte(), activation = r.Byte();
            if (kind > (byte)OpKind.Softmax || activation > (byte)FusedActivation.Relu6)
                throw new InputFileException(sourceName, $"op {i}: unknown op kind {kind} or activation {activation}");
            int inputCount = r.Byte();
            var inputs = new int[inputCount];
            for (int k = 0; k < inputCount; k++) inputs[k] = r.Int32();
            int outputTensor = r.Int32();
            Dims kernel = r.Dims();
            int strideH = r.Int32(), strideW = r.Int32();
            var padding = new Padding(r.Int32(), r.Int32(), r.Int32(), r.Int32());
            var spec = new OpSpec((OpKind)kind, inputs, outputTensor, kernel, strideH, strideW, padding, (FusedActivation)activation);
            Int8Params? parameters = null;
            if (r.Byte() != 0)
            {
                sbyte[] weights = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(r.Bytes(r.Count(1))).ToArray();
                var scales = new float[r.Count(4)];
                for (int k = 0; k < scales.Length; k++) scales[k] = r.Single();
                var bias = new int[r.Count(4)];
                for (int k = 0; k < bias.Length; k++) bias[k] = r.Int32();
                var multipliers = new QuantizedMultiplier[r.Count(8)];
                for (int k = 0; k < multipliers.Length; k++) multipliers[k] = new QuantizedMultiplier(r.Int32(), r.Int32());
                parameters = new Int8Params(weights, scales, bias, multipliers);
            }
            ops[i] = new GraphOp<Int8Params>(spec, parameters);
        }
        if (!r.AtEnd) throw new InputFileException(sourceName, "unexpected bytes after the graph");
        return new QuantizedGraph(tensors, ops, input, output);
    }

    /// <summary>Bounds-checked little-endian reads; running out of bytes is a truncation error, never an exception of another kind.</summary>
    private ref struct SpanReader(ReadOnlySpan<byte> bytes, string sourceName)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if ((uint)count > (uint)_rest.Length) throw new InputFileException(sourceName, "truncated or corrupt section");
            var result = _rest[..count];
            _rest = _rest[count..];
            return result;
        }

        public byte Byte() => Bytes(1)[0];
        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));
        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));
        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4));
        public Dims Dims() => new(Int32(), Int32(), Int32(), Int32());

        /// <summary>A section length: non-negative and within what is left.</summary>
        public int Length()
        {
            int n = Int32();
            return n >= 0 && n <= _rest.Length ? n : throw new InputFileException(sourceName, "truncated or corrupt section length");
        }

        /// <summary>An element count whose elements take at least <paramref name="minBytes"/> each: refuses counts the remaining bytes cannot hold.</summary>
        public int Count(int minBytes)
        {
            int n = Int32();
            return n >= 0 && (long)n * minBytes <= _rest.Length ? n : throw new InputFileException(sourceName, $"implausible element count {n}");
        }
    }
}
