using System.Globalization;
using System.Text;

namespace Haul.Text;

/// <summary>
/// Makes text from outside (input lines, URLs, server responses, file names) safe to print on a terminal: every control
/// character is written as an escape, so that no line carries an escape sequence, a bell or a line break of its own.
/// </summary>
internal static class PrintableText
{
    /// <summary>The longest a value is shown by default, in characters, before it is cut with an ellipsis.</summary>
    public const int DefaultMaxLength = 300;

    /// <summary>The longest a whole message is shown, in characters, before it is cut with an ellipsis.</summary>
    public const int LongMaxLength = 2000;

    /// <summary>
    /// <paramref name="text"/> with C0 and C1 control characters, DEL, lone surrogates, line and paragraph separators
    /// and bidirectional overrides escaped (<c>\e</c>, <c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\0</c>, <c>\x07</c>,
    /// <c>\u009b</c>, <c>\ud800</c>), cut to <paramref name="maxLength"/> characters with <c>…</c> when longer.
    /// </summary>
    public static string Of(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Length <= maxLength && !NeedsEscape(text))
        {
            return text;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string piece;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                piece = text.Substring(i, 2);
            }
            else
            {
                piece = Escape(c) ?? c.ToString();
            }

            if (builder.Length + piece.Length > maxLength)
            {
                builder.Append('…');
                return builder.ToString();
            }

            builder.Append(piece);
            i += piece.Length == 2 && char.IsHighSurrogate(piece[0]) ? 1 : 0;
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (Escape(c) is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The escape for one character (a surrogate here is a lone one), or null when it prints as itself.</summary>
    private static string? Escape(char c) => c switch
    {
        '\x1B' => "\\e",
        '\r' => "\\r",
        '\n' => "\\n",
        '\t' => "\\t",
        '\0' => "\\0",
        < '\x20' or '\x7F' => "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture),
        (>= '\x80' and <= '\x9F') or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069')
            or (>= '\uD800' and <= '\uDFFF') => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
        _ => null,
    };
}
