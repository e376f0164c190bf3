namespace Haul.Writing;

/// <summary>
/// Tells from a body's first bytes whether it is what was asked for. A page (HTML, XML, JSON or plain text) where an
/// image or other binary file was expected is a soft block: a "verify you are human" page, never to be saved.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes <see cref="LooksLikePage"/> wants to see.</summary>
    public const int SniffLength = 512;

    private static readonly HashSet<string> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".avif", ".heic", ".heif", ".bmp", ".tif", ".tiff",
        ".ico", ".jxl", ".mp4", ".webm", ".mkv", ".mov", ".m4v", ".mp3", ".m4a", ".ogg", ".flac", ".wav", ".opus",
        ".zip", ".7z", ".rar", ".gz", ".tgz", ".xz", ".bz2", ".zst", ".tar", ".pdf", ".woff", ".woff2", ".psd",
    };

    /// <summary>Whether the URL names a binary file (image, video, audio, archive) by its extension.</summary>
    public static bool ExpectsBinary(Uri url) => BinaryExtensions.Contains(Path.GetExtension(url.AbsolutePath));

    /// <summary>
    /// Whether a Content-Type announces a binary file: image, video or audio. SVG is an image made of XML text, so it
    /// does not count.
    /// </summary>
    public static bool IsBinaryMediaType(string? mediaType) =>
        mediaType is not null
        && (mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || mediaType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase))
        && !mediaType.Contains("svg", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether the first bytes of a body look like a web page, JSON or text rather than a binary file. Only text counts:
    /// a head that starts with <c>&lt;</c>, <c>{</c> or <c>[</c> but holds NUL or other control characters is a binary
    /// file that happens to start so (a PNG's noise, a tar entry named <c>[1].jpg</c>). Bytes above ASCII are text of
    /// some charset: a block page in windows-1252 or Shift_JIS is still a page.
    /// </summary>
    public static bool LooksLikePage(ReadOnlySpan<byte> head)
    {
        var text = SkipPreamble(head);
        if (text.IsEmpty)
        {
            return head.Length > 0;
        }

        if (!IsText(text))
        {
            return false;
        }

        if (text[0] is (byte)'<' or (byte)'{' or (byte)'[')
        {
            return true;
        }

        // Plain text: nothing but printable ASCII and white space in what was seen.
        foreach (var b in text)
        {
            if (b >= 0x80)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether bytes may be text of any charset: no NUL, DEL or C0 control character other than tab, line feed, form
    /// feed, carriage return and escape (ISO-2022 pages switch their character sets with it).
    /// </summary>
    private static bool IsText(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if ((b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\f' or (byte)'\r' or 0x1B)) || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static ReadOnlySpan<byte> SkipPreamble(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            head = head[3..];
        }

        var start = 0;
        while (start < head.Length && head[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        return head[start..];
    }
}
