using System.Globalization;

namespace Haul.TestServer;

/// <summary>RFC 9110 IMF-fixdate formatting and parsing.</summary>
internal static class HttpDate
{
    public static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
}
