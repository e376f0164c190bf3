using System.Text;

namespace Haul.Input;

/// <summary>
/// The one form of a URL that identifies an item (RFC 3986 section 6.2.2): scheme and host in lower case, the default
/// port dropped, dot segments removed, the fragment dropped (it is never sent), unreserved characters decoded and
/// every other percent-escape in upper case. Two spellings of one resource are one item.
/// </summary>
public static class UrlNormalizer
{
    /// <summary>The normal form of <paramref name="url"/>, an absolute http or https URL.</summary>
    public static string Normalize(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);

        // Scheme, host, non-default port, path and query: no user info, no fragment.
        var text = url.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped);
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        return percent < 0 ? text : NormalizeEscapes(text, percent);
    }

    /// <summary>
    /// The host an item's politeness is counted against: the host name in lower case, with the port when it is not the
    /// scheme's default (two servers on one machine are two hosts).
    /// </summary>
    public static string HostKey(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost.ToLowerInvariant();
        return url.IsDefaultPort ? host : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{host}:{url.Port}");
    }

    private static string NormalizeEscapes(string text, int first)
    {
        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && IsHex(text[i + 1]) && IsHex(text[i + 2]))
            {
                var value = (char)Convert.ToByte(text.Substring(i + 1, 2), 16);
                if (IsUnreserved(value))
                {
                    builder.Append(value);
                }
                else
                {
                    builder.Append('%').Append(char.ToUpperInvariant(text[i + 1])).Append(char.ToUpperInvariant(text[i + 2]));
                }

                i += 2;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    /// <summary>Unreserved characters but the dot: a decoded %2E could turn into a dot segment and move the path.</summary>
    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '~';
}
