namespace Haul.Crawling;

/// <summary>
/// The rules of robots.txt that apply to one crawler (RFC 9309): its Allow and Disallow patterns, merged from every
/// group that names it, and its <c>Crawl-delay</c>.
/// </summary>
internal sealed class RobotsRules
{
    private readonly IReadOnlyList<RobotsPattern> _patterns;

    internal RobotsRules(IReadOnlyList<RobotsPattern> patterns, TimeSpan? crawlDelay)
    {
        _patterns = patterns;
        CrawlDelay = crawlDelay;
    }

    /// <summary>Rules that allow everything and ask for no delay.</summary>
    public static RobotsRules AllowAll { get; } = new([], null);

    /// <summary>
    /// The minimum gap between the starts of two requests to the host, from <c>Crawl-delay</c> (seconds, decimals
    /// allowed), capped at <see cref="RobotsTxt.MaxCrawlDelay"/>; null when the group states none (or only unusable
    /// values).
    /// </summary>
    public TimeSpan? CrawlDelay { get; }

    /// <summary>
    /// Whether <paramref name="url"/> may be fetched: the longest pattern matching its path and query decides (by
    /// length in octets of the canonical pattern), Allow wins a tie, no match allows. <c>/robots.txt</c> is always
    /// allowed.
    /// </summary>
    public bool IsAllowed(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (_patterns.Count == 0 || url.AbsolutePath == "/robots.txt")
        {
            return true;
        }

        var target = RobotsPattern.CanonicalTarget(url);
        RobotsPattern? best = null;
        foreach (var pattern in _patterns)
        {
            if (best is not null && (pattern.Length < best.Length || (pattern.Length == best.Length && (best.Allow || !pattern.Allow))))
            {
                continue;
            }

            if (pattern.Matches(target))
            {
                best = pattern;
            }
        }

        return best?.Allow ?? true;
    }
}
