namespace Haul.Fetching;

/// <summary>Haul follows redirects itself: which statuses are redirects, and where one leads, with loops and long chains refused.</summary>
internal static class Redirects
{
    /// <summary>A 3xx other than 304 Not Modified.</summary>
    public static bool IsRedirect(int status) => status is >= 300 and < 400 && status != 304;

    /// <summary>
    /// The URL a redirect leads to, added to <paramref name="visited"/>; null with the reason in
    /// <paramref name="failure"/> when it has no Location, leaves http(s), loops, or makes the chain longer than
    /// <paramref name="maxRedirects"/>.
    /// </summary>
    public static Uri? NextLocation(Uri current, HttpResponseMessage response, HashSet<string> visited, int maxRedirects, out FailureReason failure)
    {
        failure = FailureReason.None;
        if (response.Headers.Location is not { } location)
        {
            failure = FailureReason.UnexpectedStatus;
            return null;
        }

        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            failure = FailureReason.BadRedirect;
            return null;
        }

        if (!visited.Add(next.AbsoluteUri))
        {
            failure = FailureReason.RedirectLoop;
            return null;
        }

        if (visited.Count > maxRedirects + 1)
        {
            failure = FailureReason.TooManyRedirects;
            return null;
        }

        return next;
    }
}
