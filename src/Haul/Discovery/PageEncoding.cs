using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace Haul.Discovery;

/// <summary>
/// The character encoding of an HTML page, as a browser decides it (simplified): a byte-order mark, else the
/// <c>charset</c> of the Content-Type, else a <c>&lt;meta charset&gt;</c> (or <c>http-equiv</c>) in the first
/// <see cref="PrescanBytes"/> bytes, else UTF-8. Labels follow the WHATWG Encoding Standard where it differs from .NET
/// (<c>iso-8859-1</c> and <c>us-ascii</c> mean windows-1252; a <c>meta</c> that says UTF-16 means UTF-8).
/// </summary>
internal static partial class PageEncoding
{
    /// <summary>How many bytes at the start of a page are searched for a <c>&lt;meta charset&gt;</c>.</summary>
    public const int PrescanBytes = 1024;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly HashSet<string> Windows1252Labels = new(StringComparer.Ordinal)
    {
        "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100",
        "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252",
        "x-cp1252",
    };

    private static readonly HashSet<string> Utf8Labels = new(StringComparer.Ordinal)
    {
        "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8",
    };

    /// <summary>
    /// The encoding of a page that starts with <paramref name="prefix"/> and was served with
    /// <paramref name="contentType"/>, and the length of its byte-order mark (0 when none).
    /// </summary>
    public static (Encoding Encoding, int BomLength) Detect(ReadOnlySpan<byte> prefix, string? contentType)
    {
        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (Utf8, 3);
        }

        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (Encoding.Unicode, 2);
        }

        if (prefix.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (Encoding.BigEndianUnicode, 2);
        }

        if (FromContentType(contentType) is { } declared)
        {
            return (declared, 0);
        }

        if (FromMeta(prefix) is { } meta)
        {
            return (meta is UnicodeEncoding ? Utf8 : meta, 0);
        }

        return (Utf8, 0);
    }

    /// <summary>The encoding a label names, or null when it names none this runtime has.</summary>
    public static Encoding? FromLabel(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var name = label.Trim().Trim('"', '\'').Trim().ToLowerInvariant();
        if (name.Length == 0)
        {
            return null;
        }

        if (Utf8Labels.Contains(name))
        {
            return Utf8;
        }

        if (Windows1252Labels.Contains(name))
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(1252);
        }

        if (CodePagesEncodingProvider.Instance.GetEncoding(name) is { } codePage)
        {
            return codePage;
        }

        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static Encoding? FromContentType(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType) && mediaType.CharSet is { } charset
            ? FromLabel(charset)
            : null;

    private static Encoding? FromMeta(ReadOnlySpan<byte> prefix)
    {
        var head = Encoding.Latin1.GetString(prefix[..Math.Min(prefix.Length, PrescanBytes)]);
        foreach (Match match in MetaCharset().Matches(head))
        {
            if (FromLabel(match.Groups[1].Value) is { } encoding)
            {
                return encoding;
            }
        }

        return null;
    }

    [GeneratedRegex("""<meta\s[^>]*?charset\s*=\s*["']?\s*([^\s"'/>;]+)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex MetaCharset();
}
