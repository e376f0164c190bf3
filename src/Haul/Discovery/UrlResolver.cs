using AngleSharp.Dom;

namespace Haul.Discovery;

/// <summary>
/// Resolves the URLs written in a page against its base: the first <c>&lt;base href&gt;</c> (itself resolved against
/// the page URL) or the page URL. ASCII tabs and newlines are removed and surrounding ASCII whitespace trimmed, as a
/// browser does; only http(s) results are kept (and <c>data:</c> URIs when asked), without their fragment.
/// </summary>
internal sealed class UrlResolver(Uri baseUrl)
{
    /// <summary>The URL relative references are resolved against.</summary>
    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>A resolver for <paramref name="document"/>, fetched from <paramref name="pageUrl"/>.</summary>
    public static UrlResolver For(IDocument document, Uri pageUrl)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(pageUrl);
        var pageResolver = new UrlResolver(pageUrl);
        foreach (var element in document.GetElementsByTagName("base"))
        {
            if (element.GetAttribute("href") is { } href)
            {
                return pageResolver.Resolve(href) is { } baseUrl ? new UrlResolver(baseUrl) : pageResolver;
            }
        }

        return pageResolver;
    }

    /// <summary>The absolute http(s) URL <paramref name="reference"/> names, without fragment; null for anything else.</summary>
    public Uri? Resolve(string? reference) => Resolve(reference, keepDataUris: false);

    /// <summary>
    /// Like <see cref="Resolve(string?)"/>, and also a <c>data:</c> URI when <paramref name="keepDataUris"/> is set.
    /// </summary>
    public Uri? Resolve(string? reference, bool keepDataUris)
    {
        if (reference is null)
        {
            return null;
        }

        var text = Clean(reference);
        if (text.Length == 0 || text[0] == '#')
        {
            return null;
        }

        if (text.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return keepDataUris && Uri.TryCreate(text, UriKind.Absolute, out var data) ? data : null;
        }

        if (!Uri.TryCreate(BaseUrl, text, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || url.Host.Length == 0)
        {
            return null;
        }

        return url.Fragment.Length == 0 ? url : new Uri(url.GetLeftPart(UriPartial.Query));
    }

    private static string Clean(string reference)
    {
        var text = reference.Trim(' ', '\t', '\n', '\f', '\r');
        return text.AsSpan().IndexOfAny('\t', '\n', '\r') < 0
            ? text
            : text.Replace("\t", string.Empty, StringComparison.Ordinal)
                .Replace("\n", string.Empty, StringComparison.Ordinal)
                .Replace("\r", string.Empty, StringComparison.Ordinal);
    }
}
