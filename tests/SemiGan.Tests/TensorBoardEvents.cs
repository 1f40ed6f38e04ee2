using System.Buffers.Binary;
using Google.Protobuf;

namespace SemiGan.Tests;

/// <summary>
/// Reads TensorBoard event files by hand, independently of the writer: TFRecord framing (uint64 length, uint32 masked
/// CRC-32C of the length, the data, uint32 masked CRC-32C of the data; both CRCs verified) around protobuf
/// <c>Event</c> messages (wall_time = 1, step = 2, file_version = 3, summary = 5), whose Summary holds repeated
/// <c>Value</c> (tag = 1, simple_value = 2, image = 4 {height = 1, width = 2, colorspace = 3, encoded_image_string = 4}).
/// </summary>
public static class TensorBoardEvents
{
    public sealed record Image(int Height, int Width, int Colorspace, byte[] Encoded);
    public sealed record Value(string Tag, float? Simple, Image? Image);
    public sealed record Event(double WallTime, long Step, string? FileVersion, IReadOnlyList<Value> Values);

    public static List<Event> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        int pos = 0;
        while (pos < bytes.Length)
        {
            if (bytes.Length - pos < 12) throw new InvalidDataException($"{path}: torn record header at byte {pos}");
            var header = bytes.AsSpan(pos, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + 8, 4)) != MaskedCrc(header))
                throw new InvalidDataException($"{path}: bad length CRC at byte {pos}");
            pos += 12;
            if ((ulong)(bytes.Length - pos) < length + 4) throw new InvalidDataException($"{path}: torn record at byte {pos}");
            var data = bytes.AsSpan(pos, (int)length);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(pos + (int)length, 4)) != MaskedCrc(data))
                throw new InvalidDataException($"{path}: bad data CRC at byte {pos}");
            events.Add(ParseEvent(data.ToArray()));
            pos += (int)length + 4;
        }
        return events;
    }

    static Event ParseEvent(byte[] data)
    {
        var input = new CodedInputStream(data);
        double wall = 0; long step = 0; string? version = null;
        var values = new List<Value>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.Fixed64): wall = input.ReadDouble(); break;
                case (2, WireFormat.WireType.Varint): step = input.ReadInt64(); break;
                case (3, WireFormat.WireType.LengthDelimited): version = input.ReadString(); break;
                case (5, WireFormat.WireType.LengthDelimited): values.AddRange(ParseSummary(input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        return new Event(wall, step, version, values);
    }

    static List<Value> ParseSummary(byte[] data)
    {
        var input = new CodedInputStream(data);
        var values = new List<Value>();
        for (uint tag; (tag = input.ReadTag()) != 0;)
            if (tag == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited)) values.Add(ParseValue(input.ReadBytes().ToByteArray()));
            else input.SkipLastField();
        return values;
    }

    static Value ParseValue(byte[] data)
    {
        var input = new CodedInputStream(data);
        string name = ""; float? simple = null; Image? image = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.LengthDelimited): name = input.ReadString(); break;
                case (2, WireFormat.WireType.Fixed32): simple = input.ReadFloat(); break;
                case (4, WireFormat.WireType.LengthDelimited): image = ParseImage(input.ReadBytes().ToByteArray()); break;
                default: input.SkipLastField(); break;
            }
        return new Value(name, simple, image);
    }

    static Image ParseImage(byte[] data)
    {
        var input = new CodedInputStream(data);
        int height = 0, width = 0, colorspace = 0; byte[] encoded = [];
        for (uint tag; (tag = input.ReadTag()) != 0;)
            switch (WireFormat.GetTagFieldNumber(tag), WireFormat.GetTagWireType(tag))
            {
                case (1, WireFormat.WireType.Varint): height = input.ReadInt32(); break;
                case (2, WireFormat.WireType.Varint): width = input.ReadInt32(); break;
                case (3, WireFormat.WireType.Varint): colorspace = input.ReadInt32(); break;
                case (4, WireFormat.WireType.LengthDelimited): encoded = input.ReadBytes().ToByteArray(); break;
                default: input.SkipLastField(); break;
            }
        return new Image(height, width, colorspace, encoded);
    }

    /// <summary>TFRecord's mask: the CRC rotated right by 15 bits plus 0xa282ead8.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    static readonly uint[] Table = Enumerable.Range(0, 256).Select(i =>
    {
        uint c = (uint)i;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0x82F63B78u : c >> 1; // Castagnoli, reflected
        return c;
    }).ToArray();

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
