using System.Buffers.Binary;

namespace Haul.TestServer;

/// <summary>The image magic bytes the served files start with, and a sniffer for them.</summary>
public static class ImageSignatures
{
    /// <summary>JPEG SOI followed by a JFIF APP0 marker.</summary>
    public static ReadOnlySpan<byte> Jpeg => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];

    /// <summary>The 8-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Png => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The GIF89a signature.</summary>
    public static ReadOnlySpan<byte> Gif => "GIF89a"u8;

    /// <summary>RIFF container tag at offset 0 of a WebP file.</summary>
    public static ReadOnlySpan<byte> Riff => "RIFF"u8;

    /// <summary>WebP form type at offset 8, followed by the VP8 chunk tag.</summary>
    public static ReadOnlySpan<byte> WebP => "WEBPVP8 "u8;

    /// <summary>Sniffs the media type from leading bytes: an image type, <c>text/html</c>, or <c>application/octet-stream</c>.</summary>
    public static string DetectContentType(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(Jpeg[..3]))
        {
            return "image/jpeg";
        }

        if (data.StartsWith(Png))
        {
            return "image/png";
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith(Gif))
        {
            return "image/gif";
        }

        if (data.Length >= 12 && data.StartsWith(Riff) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        var text = data.TrimStart(" \t\r\n"u8);
        if (text.StartsWith("<"u8))
        {
            return "text/html";
        }

        return "application/octet-stream";
    }

    /// <summary>The leading bytes of a file of the given type and size.</summary>
    internal static byte[] BuildHeader(string contentType, long fileSize)
    {
        var header = new List<byte>(32);
        switch (contentType)
        {
            case "image/jpeg":
                header.AddRange(Jpeg);
                header.AddRange([0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
                break;
            case "image/png":
                header.AddRange(Png);
                header.AddRange([0x00, 0x00, 0x00, 0x0D, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08, 0x06, 0x00, 0x00, 0x00]);
                break;
            case "image/gif":
                header.AddRange(Gif);
                header.AddRange([0x00, 0x01, 0x00, 0x01, 0xF7, 0x00, 0x00]);
                break;
            case "image/webp":
                header.AddRange(Riff);
                var riffSize = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(riffSize, (uint)Math.Clamp(fileSize - 8, 0, uint.MaxValue));
                header.AddRange(riffSize);
                header.AddRange(WebP);
                break;
        }

        return [.. header.Take((int)Math.Min(header.Count, fileSize))];
    }
}
