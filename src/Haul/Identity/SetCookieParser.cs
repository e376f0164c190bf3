using System.Globalization;

namespace Haul.Identity;

/// <summary>
/// Reads one <c>Set-Cookie</c> header as RFC 6265 (sections 5.2 and 5.3) asks of a user agent, into the cookie to
/// store, or null when it is to be ignored. An expiry in the past is kept on the result: it deletes a stored cookie.
/// </summary>
internal static class SetCookieParser
{
    /// <summary>Name and value together may be this long at most (browsers' limit).</summary>
    public const int MaxNameValueLength = 4096;

    /// <summary>A longer attribute value is ignored (RFC 6265bis).</summary>
    private const int MaxAttributeLength = 1024;

    /// <summary>A Max-Age or Expires further than this is clamped (RFC 6265bis: 400 days).</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(400);

    public static StoredCookie? Parse(string header, Uri url, DateTimeOffset now)
    {
        if (header.AsSpan().IndexOfAny('\0', '\r', '\n') >= 0 || header.Length > MaxNameValueLength + 8 * MaxAttributeLength)
        {
            return null;
        }

        var parts = header.Split(';');
        var pair = parts[0];
        var equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return null;
        }

        var name = pair[..equals].Trim(' ', '\t');
        var value = pair[(equals + 1)..].Trim(' ', '\t');
        if (name.Length == 0 || name.Length + value.Length > MaxNameValueLength || name.Any(char.IsControl) || value.Any(char.IsControl))
        {
            return null;
        }

        DateTimeOffset? expires = null;
        DateTimeOffset? maxAge = null;
        string? domainAttribute = null;
        string? path = null;
        var secure = false;
        var httpOnly = false;
        foreach (var attribute in parts.Skip(1))
        {
            var split = attribute.IndexOf('=', StringComparison.Ordinal);
            var key = (split < 0 ? attribute : attribute[..split]).Trim(' ', '\t');
            var attributeValue = split < 0 ? string.Empty : attribute[(split + 1)..].Trim(' ', '\t');
            if (attributeValue.Length > MaxAttributeLength)
            {
                continue;
            }

            if (key.Equals("expires", StringComparison.OrdinalIgnoreCase))
            {
                expires = CookieDate.Parse(attributeValue) ?? expires;
            }
            else if (key.Equals("max-age", StringComparison.OrdinalIgnoreCase))
            {
                maxAge = ParseMaxAge(attributeValue, now) ?? maxAge;
            }
            else if (key.Equals("domain", StringComparison.OrdinalIgnoreCase))
            {
                // An empty Domain attribute is as if there were none (the last one wins).
                domainAttribute = attributeValue.Length == 0 ? null : attributeValue;
            }
            else if (key.Equals("path", StringComparison.OrdinalIgnoreCase))
            {
                path = attributeValue.StartsWith('/') ? attributeValue : null;
            }
            else if (key.Equals("secure", StringComparison.OrdinalIgnoreCase))
            {
                secure = true;
            }
            else if (key.Equals("httponly", StringComparison.OrdinalIgnoreCase))
            {
                httpOnly = true;
            }
        }

        var host = CookieRules.HostOf(url);
        var hostOnly = true;
        var domain = host;
        if (domainAttribute is not null)
        {
            if (CookieRules.CanonicalDomain(domainAttribute) is not { } canonical || !CookieRules.DomainMatches(host, canonical))
            {
                return null;
            }

            // Without a public suffix list, a Domain of one label (a top-level domain such as "com") is refused unless
            // it is the host itself.
            if (!canonical.Contains('.', StringComparison.Ordinal) && canonical != host)
            {
                return null;
            }

            hostOnly = canonical == host;
            domain = canonical;
        }

        // A Secure cookie may only be set over https (RFC 6265bis).
        if (secure && url.Scheme != Uri.UriSchemeHttps)
        {
            return null;
        }

        var expiry = maxAge ?? expires;
        if (expiry > now + MaxLifetime)
        {
            expiry = now + MaxLifetime;
        }

        return new StoredCookie(name, value, domain, path ?? CookieRules.DefaultPath(url), hostOnly, secure, httpOnly, expiry, now);
    }

    /// <summary>Max-Age in seconds: zero or less expires at once.</summary>
    private static DateTimeOffset? ParseMaxAge(string text, DateTimeOffset now)
    {
        if (text.Length == 0 || !(char.IsAsciiDigit(text[0]) || text[0] == '-') || !text.Skip(1).All(char.IsAsciiDigit))
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            // Too many digits: the furthest or the earliest time.
            seconds = text[0] == '-' ? 0 : long.MaxValue;
        }

        return seconds <= 0 ? DateTimeOffset.MinValue : now + TimeSpan.FromSeconds(Math.Min(seconds, MaxLifetime.TotalSeconds));
    }
}
