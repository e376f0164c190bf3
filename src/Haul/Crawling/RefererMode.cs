namespace Haul.Crawling;

/// <summary>What a crawl sends as <c>Referer</c> (<c>--referer-policy</c>).</summary>
public enum RefererMode
{
    /// <summary>The URL of the page the item was found on, without fragment and user info (the default).</summary>
    Full,

    /// <summary>Only the origin of that page: <c>scheme://host[:port]/</c>.</summary>
    Origin,

    /// <summary>No <c>Referer</c>.</summary>
    None,
}
