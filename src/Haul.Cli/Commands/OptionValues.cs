using System.CommandLine;
using System.Globalization;
using Haul.Text;

namespace Haul.Cli.Commands;

/// <summary>
/// The values of options as the CLI reads and checks them: seconds, counts and sizes, each within the range the engine
/// accepts, a problem always naming its option and the value as the user wrote it.
/// </summary>
internal static class OptionValues
{
    /// <summary>
    /// The longest time any option may ask for: 30 days, well inside what every timer accepts (about 49.7 days).
    /// </summary>
    public const int MaxSeconds = 30 * 24 * 60 * 60;

    /// <summary>The longest backoff delay: 1 day, the most the retry strategy accepts.</summary>
    public const int MaxDelaySeconds = 24 * 60 * 60;

    /// <summary>A problem naming the option when its seconds are not finite, positive (or zero where allowed) and at most <paramref name="max"/>.</summary>
    public static string? SecondsInRange(ParseResult result, Option<double> option, bool zeroAllowed, int max = MaxSeconds)
    {
        var seconds = result.GetValue(option);
        var inRange = double.IsFinite(seconds) && (zeroAllowed ? seconds >= 0 : seconds > 0) && seconds <= max;
        return inRange
            ? null
            : OutOfRange(result, option, string.Create(CultureInfo.InvariantCulture, $"{(zeroAllowed ? "0 <=" : "0 <")} seconds <= {max}"));
    }

    /// <summary>A problem naming the option when its count is outside <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static string? CountInRange(ParseResult result, Option<int> option, int min, int max)
    {
        var value = result.GetValue(option);
        return value >= min && value <= max
            ? null
            : OutOfRange(result, option, string.Create(CultureInfo.InvariantCulture, $"{min} <= N <= {max}"));
    }

    /// <summary>The problem of a value out of range: the option, the value as written, and the range.</summary>
    public static string OutOfRange<T>(ParseResult result, Option<T> option, string range) =>
        $"{option.Name} {Typed(result, option)} is out of range ({range})";

    /// <summary>The value as the user wrote it (<c>1e9</c> stays <c>1e9</c>), or the default's.</summary>
    public static string Typed<T>(ParseResult result, Option<T> option) =>
        result.GetResult(option) is { Implicit: false, Tokens: [.., var last] }
            ? last.Value
            : Convert.ToString(result.GetValue(option), CultureInfo.InvariantCulture) ?? string.Empty;

    /// <summary>Whether a value holds CR, LF or NUL, which no header may.</summary>
    public static bool HasLineBreakOrNul(string text) => text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    /// <summary>A size in bytes, or with a K, M or G suffix (powers of 1024); null when it is not one, or not above 0.</summary>
    public static long? ParseSize(string text)
    {
        var multiplier = 1L;
        var digits = text.Trim();
        if (digits.Length > 0 && char.ToUpperInvariant(digits[^1]) is 'K' or 'M' or 'G')
        {
            multiplier = char.ToUpperInvariant(digits[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            digits = digits[..^1];
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= long.MaxValue / multiplier
            ? value * multiplier
            : null;
    }

    /// <summary>
    /// A number of seconds: digits with an optional decimal point, nothing else (no thousands separators: "1,5" is an
    /// error, not 15; no "inf"). The range is checked afterwards, with the option's name.
    /// </summary>
    public static Option<double> Seconds(string name, string description, TimeSpan defaultValue, params string[] aliases) =>
        Number(name, description, defaultValue.TotalSeconds, "a number of seconds such as 30 or 1.5", aliases);

    /// <summary>A decimal number, parsed strictly (invariant culture); a bad one is a one-line error naming the option.</summary>
    public static Option<double> Number(string name, string description, double defaultValue, string what, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }

                result.AddError($"{name} '{text}' is not {what}");
                return 0;
            },
        };
}
