using System.Text;

namespace Hark.Export.Onnx;

/// <summary>
/// The few pieces of the protobuf wire format an ONNX file needs: varints, length-delimited fields, packed
/// repeated int64. Nested messages are written into their own writer and embedded as bytes, which keeps the
/// code free of a protobuf dependency at the cost of one copy per message (ONNX models here are kilobytes).
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    private const int VarintType = 0, LengthDelimitedType = 2;

    public byte[] ToArray() => _buffer.ToArray();

    public ProtoWriter Int64(int field, long value)
    {
        Tag(field, VarintType);
        Varint(unchecked((ulong)value));
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedType);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message._buffer.GetBuffer().AsSpan(0, (int)message._buffer.Length));

    /// <summary>A packed repeated int64 field (proto3 default packing, which ONNX readers accept for proto2 too).</summary>
    public ProtoWriter PackedInt64(int field, ReadOnlySpan<long> values)
    {
        var packed = new ProtoWriter();
        foreach (long v in values) packed.Varint(unchecked((ulong)v));
        return Message(field, packed);
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
