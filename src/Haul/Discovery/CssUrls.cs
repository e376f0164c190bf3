using System.Globalization;
using System.Text;

namespace Haul.Discovery;

/// <summary>
/// Finds the <c>url(…)</c> values of the <c>background</c> and <c>background-image</c> declarations of a style sheet or
/// a <c>style</c> attribute: quoted or not, with CSS escapes decoded, comments ignored. Not a CSS parser: a scanner
/// that tolerates whatever a page holds.
/// </summary>
internal static class CssUrls
{
    private const string Background = "background";
    private const string Image = "-image";
    private const string Url = "url(";

    /// <summary>Every URL, as written (unresolved), of every background declaration of <paramref name="css"/>, in order.</summary>
    public static IEnumerable<string> BackgroundUrls(string css)
    {
        ArgumentNullException.ThrowIfNull(css);
        return Scan(WithoutComments(css));
    }

    private static IEnumerable<string> Scan(string css)
    {
        var position = 0;
        while (true)
        {
            var name = css.IndexOf(Background, position, StringComparison.OrdinalIgnoreCase);
            if (name < 0)
            {
                yield break;
            }

            position = name + Background.Length;
            if (name > 0 && IsNameChar(css[name - 1]))
            {
                continue;
            }

            if (string.Compare(css, position, Image, 0, Image.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                position += Image.Length;
            }

            position = SkipWhitespace(css, position);
            if (position >= css.Length || css[position] != ':')
            {
                continue;
            }

            var end = ValueEnd(css, position + 1);
            foreach (var url in UrlsIn(css, position + 1, end))
            {
                yield return url;
            }

            position = end;
        }
    }

    private static List<string> UrlsIn(string css, int start, int end)
    {
        var urls = new List<string>();
        var position = start;
        while (position < end)
        {
            var open = css.IndexOf(Url, position, end - position, StringComparison.OrdinalIgnoreCase);
            if (open < 0)
            {
                break;
            }

            position = open + Url.Length;
            if (open > 0 && IsNameChar(css[open - 1]))
            {
                continue;
            }

            var (url, next) = ReadUrl(css, position, end);
            if (url.Length > 0)
            {
                urls.Add(url);
            }

            position = next;
        }

        return urls;
    }

    private static (string Url, int Next) ReadUrl(string css, int position, int end)
    {
        position = SkipWhitespace(css, position);
        var text = new StringBuilder();
        if (position < end && css[position] is '"' or '\'')
        {
            var quote = css[position++];
            while (position < end && css[position] != quote)
            {
                position = Append(css, position, end, text);
            }

            position++;
        }
        else
        {
            while (position < end && css[position] != ')' && !IsWhitespace(css[position]))
            {
                position = Append(css, position, end, text);
            }
        }

        var close = css.IndexOf(')', Math.Min(position, end), end - Math.Min(position, end));
        return (text.ToString().Trim(), close < 0 ? end : close + 1);
    }

    // Appends the character at position (or the escape starting there) and returns the position after it.
    private static int Append(string css, int position, int end, StringBuilder text)
    {
        if (css[position] != '\\')
        {
            text.Append(css[position]);
            return position + 1;
        }

        position++;
        if (position >= end)
        {
            return position;
        }

        if (css[position] is '\n' or '\r' or '\f')
        {
            return position + 1;
        }

        var digits = 0;
        while (digits < 6 && position + digits < end && char.IsAsciiHexDigit(css[position + digits]))
        {
            digits++;
        }

        if (digits == 0)
        {
            text.Append(css[position]);
            return position + 1;
        }

        var value = int.Parse(css.AsSpan(position, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        text.Append(value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)
            ? "\uFFFD"
            : char.ConvertFromUtf32(value));
        position += digits;
        return position < end && IsWhitespace(css[position]) ? position + 1 : position;
    }

    // The end of a declaration's value: the first ; } or { outside quotes and parentheses.
    private static int ValueEnd(string css, int position)
    {
        var depth = 0;
        char quote = default;
        for (; position < css.Length; position++)
        {
            var c = css[position];
            if (quote != default)
            {
                if (c == '\\')
                {
                    position++;
                }
                else if (c == quote)
                {
                    quote = default;
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '(')
            {
                depth++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0 && c is ';' or '}' or '{')
            {
                return position;
            }
        }

        return css.Length;
    }

    private static string WithoutComments(string css)
    {
        var open = css.IndexOf("/*", StringComparison.Ordinal);
        if (open < 0)
        {
            return css;
        }

        var text = new StringBuilder(css.Length);
        var position = 0;
        while (open >= 0)
        {
            text.Append(css, position, open - position);
            var close = css.IndexOf("*/", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                return text.ToString();
            }

            text.Append(' ');
            position = close + 2;
            open = css.IndexOf("/*", position, StringComparison.Ordinal);
        }

        text.Append(css, position, css.Length - position);
        return text.ToString();
    }

    private static int SkipWhitespace(string css, int position)
    {
        while (position < css.Length && IsWhitespace(css[position]))
        {
            position++;
        }

        return position;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
