namespace Haul.Identity;

/// <summary>
/// The request headers one browser sends, coherent with each other: its User-Agent, <c>Accept</c> for a page it
/// navigates to and for an image, <c>Accept-Language</c>, <c>Accept-Encoding</c> (only codings Haul decodes),
/// <c>Sec-Fetch-*</c>, <c>Upgrade-Insecure-Requests</c> for pages, and the client hints that browser sends.
/// </summary>
/// <param name="UserAgent">The User-Agent of a current stable release.</param>
/// <param name="DocumentAccept"><c>Accept</c> of a navigation (a crawl's page).</param>
/// <param name="ImageAccept"><c>Accept</c> of an image (a file).</param>
/// <param name="AcceptLanguage"><c>Accept-Language</c>.</param>
/// <param name="SendsFetchUser">Whether a navigation carries <c>Sec-Fetch-User: ?1</c>.</param>
/// <param name="ClientHints">The low-entropy client hints sent with every request (Chrome's <c>Sec-CH-UA*</c>); empty for none.</param>
internal sealed record BrowserProfile(
    string UserAgent,
    string DocumentAccept,
    string ImageAccept,
    string AcceptLanguage,
    bool SendsFetchUser,
    IReadOnlyList<KeyValuePair<string, string>> ClientHints)
{
    /// <summary>
    /// What browsers offer, less what Haul cannot decode (<c>zstd</c>): see <see cref="Fetching.ContentDecoding"/>.
    /// </summary>
    public const string AcceptEncoding = "gzip, deflate, br";

    /// <summary>
    /// The headers of a request for <paramref name="url"/>, in the order the browser sends them: a page
    /// (<paramref name="document"/>) as a navigation, anything else as an image; <paramref name="referer"/> gives
    /// <c>Sec-Fetch-Site</c>; a range request (<paramref name="ranged"/>) asks for <c>identity</c>, as browsers do for
    /// media ranges, so that the range applies to the file's own bytes.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> Headers(Uri url, bool document, string? referer, bool ranged)
    {
        foreach (var hint in ClientHints)
        {
            yield return hint;
        }

        if (document)
        {
            yield return new("Upgrade-Insecure-Requests", "1");
        }

        yield return new("User-Agent", UserAgent);
        yield return new("Accept", document ? DocumentAccept : ImageAccept);
        yield return new("Sec-Fetch-Site", FetchSite(url, referer));
        yield return new("Sec-Fetch-Mode", document ? "navigate" : "no-cors");
        if (document && SendsFetchUser)
        {
            yield return new("Sec-Fetch-User", "?1");
        }

        yield return new("Sec-Fetch-Dest", document ? "document" : "image");
        yield return new("Accept-Encoding", ranged ? "identity" : AcceptEncoding);
        yield return new("Accept-Language", AcceptLanguage);
    }

    /// <summary>
    /// <c>Sec-Fetch-Site</c>: <c>none</c> without a referring page (as typed into the address bar), else how the page's
    /// origin relates to the URL's. Without a public suffix list, two hosts are one site when their last two labels
    /// are the same.
    /// </summary>
    public static string FetchSite(Uri url, string? referer)
    {
        if (referer is null || !Uri.TryCreate(referer, UriKind.Absolute, out var from))
        {
            return "none";
        }

        if (Fetching.RequestFactory.SameOrigin(from, url))
        {
            return "same-origin";
        }

        return from.Scheme == url.Scheme && Site(from.IdnHost) == Site(url.IdnHost) ? "same-site" : "cross-site";
    }

    private static string Site(string host)
    {
        host = host.ToLowerInvariant();
        if (CookieRules.IsIpAddress(host))
        {
            return host;
        }

        var last = host.LastIndexOf('.');
        var second = last <= 0 ? -1 : host.LastIndexOf('.', last - 1);
        return second < 0 ? host : host[(second + 1)..];
    }
}
