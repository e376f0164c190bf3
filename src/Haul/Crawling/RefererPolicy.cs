namespace Haul.Crawling;

/// <summary>The <c>Referer</c> a crawl sends for an item found on a page.</summary>
internal static class RefererPolicy
{
    /// <summary>
    /// The <c>Referer</c> for a request of <paramref name="target"/> found on <paramref name="page"/>, or null to send
    /// none: with <see cref="RefererMode.None"/>, from an https page to an http target (a secure page's URL never
    /// travels in clear), or when the page is not http(s).
    /// </summary>
    /// <remarks><see cref="RefererMode.Full"/> sends the whole page URL to the page's own origin and only its origin elsewhere.</remarks>
    public static string? For(Uri page, Uri target, RefererMode mode)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(target);
        if (mode == RefererMode.None
            || (page.Scheme != Uri.UriSchemeHttp && page.Scheme != Uri.UriSchemeHttps)
            || (page.Scheme == Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }

        return mode switch
        {
            // As browsers do by default (strict-origin-when-cross-origin): another origin learns where, not what.
            RefererMode.Full when !SameOrigin(page, target) => page.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + "/",
            RefererMode.Full => page.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped),
            RefererMode.Origin => page.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped) + "/",
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}
