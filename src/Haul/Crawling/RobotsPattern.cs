using System.Text;

namespace Haul.Crawling;

/// <summary>
/// One Allow or Disallow path pattern of robots.txt (RFC 9309 section 2.2.2/2.2.3), and the one canonical form that
/// patterns and URLs are compared in: percent-escapes with upper-case hex, escapes of unreserved characters decoded,
/// characters outside the URI set (non-ASCII as UTF-8, controls, space, <c>"&lt;&gt;\^`{|}</c>) percent-encoded. In a
/// URL a literal <c>*</c> or <c>$</c> becomes <c>%2A</c>/<c>%24</c>, so that a pattern names them that way; in a
/// pattern <c>*</c> matches any run of characters and a final <c>$</c> anchors the end.
/// </summary>
internal sealed class RobotsPattern
{
    private readonly string _text;
    private readonly bool _anchored;

    private RobotsPattern(string text, bool anchored, bool allow)
    {
        _text = text;
        _anchored = anchored;
        Allow = allow;
        Length = text.Length + (anchored ? 1 : 0);
    }

    /// <summary>Whether this is an Allow rule (else Disallow).</summary>
    public bool Allow { get; }

    /// <summary>The length of the canonical pattern in octets, <c>*</c> and <c>$</c> included: longer is more specific.</summary>
    public int Length { get; }

    /// <summary>
    /// The pattern of a rule's value, or null for an empty value (an empty Disallow allows everything, RFC 9309
    /// 2.2.2). A value that starts with neither <c>/</c> nor <c>*</c> is read as if it started with <c>/</c>.
    /// </summary>
    public static RobotsPattern? Create(string value, bool allow)
    {
        if (value.Length == 0)
        {
            return null;
        }

        var anchored = value.EndsWith('$');
        var body = anchored ? value[..^1] : value;
        var canonical = Canonical(body, isPattern: true);
        if (canonical.Length > 0 && canonical[0] is not '/' and not '*')
        {
            canonical = "/" + canonical;
        }

        return new RobotsPattern(canonical, anchored, allow);
    }

    /// <summary>The canonical form of a URL's path and query, as patterns are compared with it.</summary>
    public static string CanonicalTarget(Uri url)
    {
        var pathAndQuery = url.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped);
        return Canonical(pathAndQuery.Length == 0 ? "/" : pathAndQuery, isPattern: false);
    }

    /// <summary>Whether the pattern matches <paramref name="target"/>, a <see cref="CanonicalTarget"/>, from its start.</summary>
    public bool Matches(string target)
    {
        // Classic wildcard matching with one backtrack point (the last star): linear for patterns without stars and
        // O(pattern × target) at worst. Without the $ anchor the pattern only has to match a prefix.
        var p = 0;
        var t = 0;
        var star = -1;
        var starTarget = 0;
        while (true)
        {
            if (p == _text.Length && (!_anchored || t == target.Length))
            {
                return true;
            }

            if (p < _text.Length && _text[p] == '*')
            {
                star = p++;
                starTarget = t;
                continue;
            }

            if (t < target.Length && p < _text.Length && _text[p] == target[t])
            {
                p++;
                t++;
                continue;
            }

            if (star >= 0 && starTarget < target.Length)
            {
                p = star + 1;
                t = ++starTarget;
                continue;
            }

            return false;
        }
    }

    private static string Canonical(string text, bool isPattern)
    {
        var builder = new StringBuilder(text.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
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
            else if (c == '%')
            {
                builder.Append("%25");
            }
            else if (c == '*')
            {
                builder.Append(isPattern ? "*" : "%2A");
            }
            else if (c == '$')
            {
                builder.Append("%24");
            }
            else if (c < 0x80 && !NeedsEscape(c))
            {
                builder.Append(c);
            }
            else
            {
                var length = char.IsSurrogatePair(text, i)
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i, 2), utf8)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), utf8);
                if (length == 0)
                {
                    continue;
                }

                if (char.IsSurrogatePair(text, i))
                {
                    i++;
                }

                foreach (var b in utf8[..length])
                {
                    builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) => c <= ' ' || c == 0x7F || c is '"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}';

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
