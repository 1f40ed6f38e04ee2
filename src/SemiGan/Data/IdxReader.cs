using System.IO.Compression;

namespace SemiGan.Data;

/// <summary>An IDX array: dimension sizes and the raw unsigned bytes.</summary>
public sealed record IdxArray(int[] Dims, byte[] Data)
{
    public int Count => Dims[0];
}

/// <summary>Reads IDX files of unsigned bytes (type 0x08), raw or gzip-compressed.</summary>
public static class IdxReader
{
    public static IdxArray Read(string path, int expectedRank) => Parse(ReadAllBytes(path), path, expectedRank);

    /// <summary>The file's bytes, decompressed if it is gzip (detected by its magic, not its name).</summary>
    public static byte[] ReadAllBytes(string path)
    {
        if (!File.Exists(path))
            throw new DataException($"{path}: file not found; run 'semigan data fetch' or pass --data <folder>.");
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                return ms.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new DataException($"{path}: corrupt gzip data ({e.Message}); delete it and run 'semigan data fetch'.");
            }
        }
        return bytes;
    }

    public static IdxArray Parse(byte[] bytes, string name, int expectedRank)
    {
        // Magic: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions.
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != expectedRank)
            throw new DataException(
                $"{name}: not an IDX file of unsigned bytes with {expectedRank} dimension(s) (wrong magic number); re-fetch it with 'semigan data fetch'.");
        int header = 4 + 4 * expectedRank;
        if (bytes.Length < header)
            throw new DataException($"{name}: truncated IDX header; re-fetch it with 'semigan data fetch'.");
        var dims = new int[expectedRank];
        long expected = 1;
        for (int i = 0; i < expectedRank; i++)
        {
            int o = 4 + 4 * i;
            dims[i] = (bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3];
            if (dims[i] <= 0)
                throw new DataException($"{name}: dimension {i} is {dims[i]}; the file is corrupt, re-fetch it with 'semigan data fetch'.");
            expected *= dims[i];
        }
        long actual = bytes.Length - header;
        if (actual != expected)
            throw new DataException(
                $"{name}: {(actual < expected ? "truncated" : "has trailing bytes")}: header promises {expected} data bytes, file has {actual}; re-fetch it with 'semigan data fetch'.");
        return new IdxArray(dims, bytes[header..]);
    }
}
