using Haul.Input;

namespace Haul.Crawling;

/// <summary>
/// The shapes of URL that crawler traps produce, so that a trap ends by itself (docs/crawling.md, "Scope and traps"). URLs are
/// judged in their normal form (<see cref="UrlNormalizer"/>): escapes canonical, fragment dropped.
/// </summary>
internal static class TrapRules
{
    /// <summary>The longest URL followed, in characters of its normal form.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>The most path segments (empty segments not counted) a followed URL may have.</summary>
    public const int MaxSegments = 32;

    /// <summary>How many times one path segment may occur before the URL is a trap: 3 times is one too many.</summary>
    public const int MaxSegmentRepeats = 2;

    /// <summary>The most query parameters (empty ones not counted) a followed URL may have.</summary>
    public const int MaxQueryParameters = 16;

    /// <summary>
    /// Null when <paramref name="url"/> has no trap shape, else the rule: <see cref="CrawlSkipRules.UrlTooLong"/>,
    /// <see cref="CrawlSkipRules.RepeatedSegment"/> or <see cref="CrawlSkipRules.QueryGrowth"/> (checked in that order).
    /// </summary>
    public static string? Check(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var normal = UrlNormalizer.Normalize(url);
        var segments = Segments(normal);
        return CheckLength(normal, segments) ?? CheckSegments(segments) ?? CheckQuery(normal);
    }

    /// <summary>Only the length rule (<see cref="CrawlSkipRules.UrlTooLong"/>): what applies to a URL that is not followed further.</summary>
    public static string? CheckLength(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var normal = UrlNormalizer.Normalize(url);
        return CheckLength(normal, Segments(normal));
    }

    private static string? CheckLength(string normal, string[] segments) =>
        normal.Length > MaxUrlLength || segments.Length > MaxSegments ? CrawlSkipRules.UrlTooLong : null;

    private static string? CheckSegments(string[] segments)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            var count = counts[segment] = counts.GetValueOrDefault(segment) + 1;
            if (count > MaxSegmentRepeats)
            {
                return CrawlSkipRules.RepeatedSegment;
            }
        }

        return null;
    }

    private static string? CheckQuery(string normal)
    {
        var question = normal.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return null;
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in normal[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (!keys.Add(equals < 0 ? parameter : parameter[..equals]) || keys.Count > MaxQueryParameters)
            {
                return CrawlSkipRules.QueryGrowth;
            }
        }

        return null;
    }

    /// <summary>The non-empty path segments of a normal form, as they are written there (escapes canonical).</summary>
    private static string[] Segments(string normal)
    {
        var start = normal.IndexOf('/', normal.IndexOf("://", StringComparison.Ordinal) + 3);
        if (start < 0)
        {
            return [];
        }

        var end = normal.IndexOf('?', start);
        var path = end < 0 ? normal[start..] : normal[start..end];
        return path.Split('/', StringSplitOptions.RemoveEmptyEntries);
    }
}
