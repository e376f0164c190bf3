namespace Haul.Identity;

/// <summary>The cookie date algorithm of RFC 6265, section 5.1.1: lenient about form, strict about values.</summary>
internal static class CookieDate
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>The date in <paramref name="text"/>, or null when it is not one.</summary>
    public static DateTimeOffset? Parse(string text)
    {
        int? hour = null, minute = null, second = null, day = null, month = null, year = null;
        foreach (var token in Tokens(text))
        {
            if (hour is null && TryTime(token, out var h, out var m, out var s))
            {
                (hour, minute, second) = (h, m, s);
            }
            else if (day is null && TryDigits(token, 1, 2, out var d))
            {
                day = d;
            }
            else if (month is null && token.Length >= 3 && Array.IndexOf(Months, token[..3].ToLowerInvariant()) is >= 0 and var index)
            {
                month = index + 1;
            }
            else if (year is null && TryDigits(token, 2, 4, out var y))
            {
                year = y;
            }
        }

        if (year is >= 70 and <= 99)
        {
            year += 1900;
        }
        else if (year is >= 0 and <= 69)
        {
            year += 2000;
        }

        if (hour is null || day is null || month is null || year is null
            || day < 1 || day > 31 || year < 1601 || hour > 23 || minute > 59 || second > 59
            || day > DateTime.DaysInMonth(year.Value, month.Value))
        {
            return null;
        }

        return new DateTimeOffset(year.Value, month.Value, day.Value, hour.Value, minute!.Value, second!.Value, TimeSpan.Zero);
    }

    private static IEnumerable<string> Tokens(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var delimiter = i == text.Length || IsDelimiter(text[i]);
            if (!delimiter && start < 0)
            {
                start = i;
            }
            else if (delimiter && start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    private static bool IsDelimiter(char c) =>
        c == '\t' || (c >= ' ' && c <= '/') || (c >= ';' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');

    /// <summary>1 to <paramref name="max"/> digits at the start, then anything but a digit (the RFC's grammar).</summary>
    private static bool TryDigits(string token, int min, int max, out int value)
    {
        value = 0;
        var count = 0;
        while (count < token.Length && char.IsAsciiDigit(token[count]))
        {
            count++;
        }

        if (count < min || count > max)
        {
            return false;
        }

        value = int.Parse(token.AsSpan(0, count), System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }

    private static bool TryTime(string token, out int hour, out int minute, out int second)
    {
        hour = minute = second = 0;
        var parts = token.Split(':');
        if (parts.Length != 3)
        {
            return false;
        }

        // The seconds may be followed by non-digits; hours and minutes are digits only.
        return parts[0].Length is 1 or 2 && parts[0].All(char.IsAsciiDigit) && TryDigits(parts[0], 1, 2, out hour)
            && parts[1].Length is 1 or 2 && parts[1].All(char.IsAsciiDigit) && TryDigits(parts[1], 1, 2, out minute)
            && TryDigits(parts[2], 1, 2, out second);
    }
}
