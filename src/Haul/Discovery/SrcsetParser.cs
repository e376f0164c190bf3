using System.Globalization;
using System.Text;

namespace Haul.Discovery;

/// <summary>
/// Parses a <c>srcset</c> value by the WHATWG rules ("parse a srcset attribute"): a URL runs to the next whitespace (so
/// it may hold commas), trailing commas end a candidate, descriptors are <c>Nw</c>, <c>Nx</c> and <c>Nh</c>, and a
/// candidate with an invalid or conflicting descriptor is dropped.
/// </summary>
internal static class SrcsetParser
{
    private enum TokenizerState
    {
        InDescriptor,
        InParens,
        AfterDescriptor,
    }

    /// <summary>The valid candidates of <paramref name="value"/>, in order.</summary>
    public static IReadOnlyList<SrcsetCandidate> Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var candidates = new List<SrcsetCandidate>();
        var position = 0;
        while (true)
        {
            while (position < value.Length && (IsWhitespace(value[position]) || value[position] == ','))
            {
                position++;
            }

            if (position >= value.Length)
            {
                return candidates;
            }

            var start = position;
            while (position < value.Length && !IsWhitespace(value[position]))
            {
                position++;
            }

            var url = value[start..position];
            var descriptors = new List<string>();
            if (url.EndsWith(','))
            {
                url = url.TrimEnd(',');
            }
            else
            {
                position = ReadDescriptors(value, position, descriptors);
            }

            if (url.Length > 0 && TryDescribe(url, descriptors, out var candidate))
            {
                candidates.Add(candidate);
            }
        }
    }

    private static int ReadDescriptors(string value, int position, List<string> descriptors)
    {
        while (position < value.Length && IsWhitespace(value[position]))
        {
            position++;
        }

        var current = new StringBuilder();
        var state = TokenizerState.InDescriptor;
        for (; position < value.Length; position++)
        {
            var c = value[position];
            switch (state)
            {
                case TokenizerState.InDescriptor when IsWhitespace(c):
                    Flush(current, descriptors);
                    state = TokenizerState.AfterDescriptor;
                    break;
                case TokenizerState.InDescriptor when c == ',':
                    Flush(current, descriptors);
                    return position + 1;
                case TokenizerState.InDescriptor when c == '(':
                    current.Append(c);
                    state = TokenizerState.InParens;
                    break;
                case TokenizerState.InDescriptor:
                    current.Append(c);
                    break;
                case TokenizerState.InParens:
                    current.Append(c);
                    if (c == ')')
                    {
                        state = TokenizerState.InDescriptor;
                    }

                    break;
                case TokenizerState.AfterDescriptor when IsWhitespace(c):
                    break;
                case TokenizerState.AfterDescriptor:
                    state = TokenizerState.InDescriptor;
                    position--;
                    break;
            }
        }

        Flush(current, descriptors);
        return position;
    }

    private static void Flush(StringBuilder current, List<string> descriptors)
    {
        if (current.Length > 0)
        {
            descriptors.Add(current.ToString());
            current.Clear();
        }
    }

    private static bool TryDescribe(string url, List<string> descriptors, out SrcsetCandidate candidate)
    {
        candidate = default;
        int? width = null;
        double? density = null;
        int? height = null;
        foreach (var descriptor in descriptors)
        {
            var number = descriptor[..^1];
            switch (descriptor[^1])
            {
                case 'w' when width is null && density is null && TryPositiveInteger(number, out var w):
                    width = w;
                    break;
                case 'x' when width is null && density is null && height is null && TryFloat(number, out var x) && x >= 0:
                    density = x;
                    break;
                case 'h' when height is null && density is null && TryPositiveInteger(number, out var h):
                    height = h;
                    break;
                default:
                    return false;
            }
        }

        if (height is not null && width is null)
        {
            return false;
        }

        candidate = new SrcsetCandidate(url, width, density, height);
        return true;
    }

    private static bool TryPositiveInteger(string text, out int value)
    {
        value = 0;
        return text.Length > 0 && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }

    // A valid floating-point number (HTML): -? (digits | digits? . digits) ([eE] [-+]? digits)?
    private static bool TryFloat(string text, out double value)
    {
        value = 0;
        var i = 0;
        if (i < text.Length && text[i] == '-')
        {
            i++;
        }

        var integerDigits = CountDigits(text, ref i);
        var fractionDigits = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            fractionDigits = CountDigits(text, ref i);
            if (fractionDigits == 0)
            {
                return false;
            }
        }

        if (integerDigits == 0 && fractionDigits == 0)
        {
            return false;
        }

        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            i++;
            if (i < text.Length && (text[i] == '-' || text[i] == '+'))
            {
                i++;
            }

            if (CountDigits(text, ref i) == 0)
            {
                return false;
            }
        }

        return i == text.Length && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    private static int CountDigits(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i - start;
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
