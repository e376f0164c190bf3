using System.Net;
using System.Net.Http.Headers;
using Haul.Engine;
using Haul.Identity;

namespace Haul.Fetching;

/// <summary>
/// Builds the request of one hop. Credentials (<c>Authorization</c>, <c>Cookie</c>, <c>Proxy-Authorization</c> given
/// with <c>-H</c>) go only to the origin (scheme, host, port) of the URL the item was given with: a redirect to another
/// origin, https to http included, drops them, as curl has done since 7.58. Other headers go everywhere.
/// </summary>
internal static class RequestFactory
{
    private static readonly HashSet<string> CredentialHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "Proxy-Authorization",
    };

    /// <summary>Whether a header carries credentials and so must stay with its origin.</summary>
    public static bool IsCredential(string headerName) => CredentialHeaders.Contains(headerName);

    /// <summary>Whether two URLs share scheme, host and port.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>Whether the user's credential headers may go to <paramref name="hop"/>, a hop of an item given as <paramref name="origin"/>.</summary>
    public static bool MaySendCredentials(HaulOptions options, Uri? origin, Uri hop)
    {
        if (origin is null)
        {
            return false;
        }

        if (SameOrigin(origin, hop))
        {
            return true;
        }

        // Trusted locations get them on any origin, but never in clear text after https.
        return options.SendCredentialsOnRedirect && !(origin.Scheme == Uri.UriSchemeHttps && hop.Scheme == Uri.UriSchemeHttp);
    }

    /// <summary>The User-Agent the job presents: a <c>User-Agent</c> of <c>-H</c> (the first) when given, else <c>-U</c>'s, else the browser profile's, else Haul's own.</summary>
    public static string UserAgentOf(HaulOptions options)
    {
        foreach (var header in options.Headers)
        {
            if (header.Key.Equals("User-Agent", StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return options.Browser is { } browser && options.UserAgent == HaulDefaults.UserAgent ? BrowserProfiles.For(browser).UserAgent : options.UserAgent;
    }

    /// <summary>The request of one hop; <paramref name="cookies"/> is the job's jar, null for none.</summary>
    public static HttpRequestMessage Create(HaulOptions options, Uri url, FetchTarget target, long resumeFrom, CookieJar? cookies = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = url.Scheme == Uri.UriSchemeHttps ? HttpVersion.Version20 : HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
        // The job's identity: Haul's own User-Agent, or a browser's whole header profile. A header given with -H, or a
        // User-Agent given with -U, wins over the profile's.
        var givenNames = options.Headers.Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        IEnumerable<KeyValuePair<string, string>> identity = options.Browser is { } browser
            ? BrowserProfiles.For(browser).Headers(url, target.Kind == Journal.ItemKind.Page, target.Referer, resumeFrom > 0)
                .Select(h => h.Key == "User-Agent" ? new(h.Key, UserAgentOf(options)) : h)
            : [new("User-Agent", options.UserAgent)];
        foreach (var header in identity.Where(h => !givenNames.Contains(h.Key)))
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        var credentials = MaySendCredentials(options, target.CredentialOrigin, url);
        foreach (var header in options.Headers)
        {
            if (credentials || !IsCredential(header.Key))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        // The jar's cookies for this URL, after a Cookie of -H where that may go: one header, as RFC 6265 asks.
        if (cookies?.HeaderFor(url) is { } jarCookies)
        {
            var given = request.Headers.TryGetValues("Cookie", out var values) ? string.Join("; ", values) : null;
            request.Headers.Remove("Cookie");
            request.Headers.TryAddWithoutValidation("Cookie", given is null ? jarCookies : given + "; " + jarCookies);
        }

        // The page an item was found on, as browsers send it (hotlink protection looks for it); never from https to http.
        if (target.Referer is { } referer && !(referer.StartsWith("https:", StringComparison.OrdinalIgnoreCase) && url.Scheme == Uri.UriSchemeHttp))
        {
            request.Headers.TryAddWithoutValidation("Referer", referer);
        }

        if (resumeFrom > 0)
        {
            request.Headers.Range = new RangeHeaderValue(resumeFrom, null);

            // If-Range makes the server send the whole new file, not a range of it, when the file has changed.
            request.Headers.IfRange = target.ETag is not null
                ? new RangeConditionHeaderValue(new EntityTagHeaderValue(target.ETag))
                : new RangeConditionHeaderValue(target.LastModified!.Value);
        }

        return request;
    }
}
