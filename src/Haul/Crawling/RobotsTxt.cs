using System.Globalization;
using System.Text;

namespace Haul.Crawling;

/// <summary>
/// A parsed robots.txt (RFC 9309). Parsing never fails: a byte-order mark, any line ending (CRLF, LF, CR), comments,
/// blank and unknown lines, keys in any case, and a missing colon (<c>Disallow /x</c>) are all tolerated. Consecutive
/// <c>User-agent</c> lines share one group; a <c>User-agent</c> line after a rule starts the next group; rules before
/// any <c>User-agent</c> line belong to no group. <c>Sitemap</c> lines belong to no group.
/// </summary>
internal sealed class RobotsTxt
{
    /// <summary>The most of a robots.txt body that is read (RFC 9309 2.5: at least 500 kibibytes); the rest is ignored.</summary>
    public const int MaxBytes = 500 * 1024;

    /// <summary>
    /// The largest <c>Crawl-delay</c> honoured: a greater value is taken as this one, so that a site cannot stall a
    /// crawl for hours with one line.
    /// </summary>
    public static readonly TimeSpan MaxCrawlDelay = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyList<Group> _groups;

    private RobotsTxt(IReadOnlyList<Group> groups, IReadOnlyList<string> sitemaps)
    {
        _groups = groups;
        Sitemaps = sitemaps;
    }

    /// <summary>A robots.txt that allows everything (none, or one that answered 4xx).</summary>
    public static RobotsTxt AllowAll { get; } = new([], []);

    /// <summary>The absolute http(s) URLs of the <c>Sitemap</c> lines, in order, without duplicates.</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    /// <summary>
    /// Parses a body as received: at most <see cref="MaxBytes"/> of it are read (when it is cut, the last incomplete
    /// line is dropped, so that a rule is never read half), as UTF-8.
    /// </summary>
    public static RobotsTxt Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxBytes)
        {
            body = body[..MaxBytes];
            var lastBreak = body.LastIndexOfAny((byte)'\n', (byte)'\r');
            body = lastBreak < 0 ? [] : body[..lastBreak];
        }

        return Parse(Encoding.UTF8.GetString(body));
    }

    /// <summary>Parses robots.txt text (the caller cuts a body at <see cref="MaxBytes"/>).</summary>
    public static RobotsTxt Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var groups = new List<Group>();
        var sitemaps = new List<string>();
        Group? current = null;
        var inAgentLines = false;
        foreach (var line in Lines(text.AsSpan().TrimStart('\uFEFF')))
        {
            if (!TrySplit(line, out var key, out var value))
            {
                continue;
            }

            switch (KeyOf(key))
            {
                case Key.UserAgent:
                    if (!inAgentLines || current is null)
                    {
                        current = new Group();
                        groups.Add(current);
                        inAgentLines = true;
                    }

                    current.Agents.Add(ProductToken(value));
                    break;
                case Key.Allow or Key.Disallow:
                    inAgentLines = false;
                    if (current is not null && RobotsPattern.Create(value, KeyOf(key) == Key.Allow) is { } pattern)
                    {
                        current.Patterns.Add(pattern);
                    }

                    break;
                case Key.CrawlDelay:
                    inAgentLines = false;
                    if (current is not null && current.CrawlDelay is null)
                    {
                        current.CrawlDelay = ParseDelay(value);
                    }

                    break;
                case Key.Sitemap:
                    if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                        && !sitemaps.Contains(value, StringComparer.Ordinal))
                    {
                        sitemaps.Add(value);
                    }

                    break;
                case Key.Unknown:
                    break;
            }
        }

        return new RobotsTxt(groups, sitemaps);
    }

    /// <summary>
    /// The rules for the crawler whose product token is <paramref name="productToken"/> (e.g. <c>haul</c>): every
    /// group naming it (case-insensitive) merged, else every <c>*</c> group merged, else rules that allow everything.
    /// A group's crawl delay is its first usable <c>Crawl-delay</c>; of merged groups, the first group's that has one.
    /// </summary>
    public RobotsRules For(string productToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(productToken);
        var matching = _groups.Where(g => g.Agents.Contains(productToken, StringComparer.OrdinalIgnoreCase)).ToList();
        if (matching.Count == 0)
        {
            matching = [.. _groups.Where(g => g.Agents.Contains("*", StringComparer.Ordinal))];
        }

        if (matching.Count == 0)
        {
            return RobotsRules.AllowAll;
        }

        return new RobotsRules([.. matching.SelectMany(g => g.Patterns)], matching.Select(g => g.CrawlDelay).FirstOrDefault(d => d is not null));
    }

    private static IEnumerable<string> Lines(ReadOnlySpan<char> text)
    {
        var lines = new List<string>();
        while (text.Length > 0)
        {
            var end = text.IndexOfAny('\r', '\n');
            if (end < 0)
            {
                lines.Add(text.ToString());
                break;
            }

            lines.Add(text[..end].ToString());
            text = text[end..].StartsWith("\r\n") ? text[(end + 2)..] : text[(end + 1)..];
        }

        return lines;
    }

    /// <summary>Key and value of a line, comment removed and both trimmed; a missing colon may be white space.</summary>
    private static bool TrySplit(string line, out string key, out string value)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        var content = (hash < 0 ? line : line[..hash]).Trim();
        key = value = "";
        if (content.Length == 0)
        {
            return false;
        }

        var colon = content.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            key = content[..colon].Trim();
            value = content[(colon + 1)..].Trim();
            return key.Length > 0;
        }

        // "Disallow /private": accepted when the line is exactly two words, as widely deployed parsers do.
        var space = content.IndexOfAny([' ', '\t']);
        if (space < 0)
        {
            return false;
        }

        key = content[..space];
        value = content[space..].Trim();
        return value.IndexOfAny([' ', '\t']) < 0;
    }

    private static Key KeyOf(string key) => key.ToLowerInvariant() switch
    {
        "user-agent" or "useragent" or "user agent" => Key.UserAgent,
        "allow" => Key.Allow,
        "disallow" or "dissallow" or "dissalow" or "disalow" or "diasllow" or "disallaw" => Key.Disallow,
        "crawl-delay" or "crawldelay" => Key.CrawlDelay,
        "sitemap" or "site-map" => Key.Sitemap,
        _ => Key.Unknown,
    };

    /// <summary>The product token of a <c>User-agent</c> value: its <see cref="LeadingToken"/>, or <c>*</c>.</summary>
    private static string ProductToken(string value) => value.StartsWith('*') ? "*" : LeadingToken(value);

    /// <summary>The leading letters, <c>_</c> and <c>-</c> of <paramref name="value"/> (RFC 9309 2.2.1's product token); empty when it starts with none.</summary>
    internal static string LeadingToken(string value)
    {
        var length = 0;
        while (length < value.Length && (char.IsAsciiLetter(value[length]) || value[length] is '_' or '-'))
        {
            length++;
        }

        return value[..length];
    }

    private static TimeSpan? ParseDelay(string value)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
        {
            return null;
        }

        return seconds >= MaxCrawlDelay.TotalSeconds ? MaxCrawlDelay : TimeSpan.FromSeconds(seconds);
    }

    private enum Key
    {
        Unknown,
        UserAgent,
        Allow,
        Disallow,
        CrawlDelay,
        Sitemap,
    }

    private sealed class Group
    {
        public List<string> Agents { get; } = [];

        public List<RobotsPattern> Patterns { get; } = [];

        public TimeSpan? CrawlDelay { get; set; }
    }
}
