using System.Globalization;
using Haul.Fetching;

namespace Haul.Cli.Terminal;

/// <summary>Formats sizes, rates and counts for people.</summary>
internal static class Units
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }

    public static string Duration(TimeSpan duration) =>
        duration.TotalHours >= 1 ? duration.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : duration.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public static string Counts(IReadOnlyDictionary<FailureReason, int> counts) =>
        string.Join(", ", counts.OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{FailureReasons.ToName(p.Key)} {p.Value}")));
}
