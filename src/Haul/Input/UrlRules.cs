namespace Haul.Input;

/// <summary>Which URLs Haul accepts: absolute http and https URLs with a host.</summary>
public static class UrlRules
{
    /// <summary>
    /// The URL as it may be shown and stored: its user information (a name and password, or a token alone, as in
    /// <c>https://TOKEN@host/</c>) replaced by <c>***</c>. The last <c>@</c> before the path ends it, as a raw <c>@</c> in
    /// a password is sometimes left unencoded. A malformed line is redacted too: one without <c>//</c>
    /// (<c>user:password@host/a.png</c>, <c>https:/user:password@host/</c>), or with backslashes for slashes.
    /// </summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = AuthorityStart(text);
        var end = text.IndexOfAny(['/', '\\', '?', '#'], start);
        var authority = end < 0 ? text[start..] : text[start..end];
        var at = authority.LastIndexOf('@');
        return at < 0 ? text : text[..start] + "***" + text[(start + at)..];
    }

    /// <summary>
    /// Where the authority of a URL, well formed or not, begins: after <c>//</c>, or after an http(s) scheme and
    /// whatever slashes follow it, or else at the start (a line without a scheme, whose <c>user:</c> is no scheme).
    /// </summary>
    private static int AuthorityStart(string text)
    {
        foreach (var scheme in (ReadOnlySpan<string>)["https:", "http:"])
        {
            if (text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                var start = scheme.Length;
                while (start < text.Length && text[start] is '/' or '\\')
                {
                    start++;
                }

                return start;
            }
        }

        var slashes = text.IndexOf("//", StringComparison.Ordinal);
        return slashes < 0 ? 0 : slashes + 2;
    }

    /// <summary>Null when <paramref name="text"/> is an acceptable URL, else the rule it breaks, in a few words.</summary>
    public static string? Check(string text)
    {
        if (text.Any(char.IsWhiteSpace))
        {
            return "malformed URL: contains white space";
        }

        if (!text.Contains(':', StringComparison.Ordinal))
        {
            return "malformed URL: no scheme";
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return "malformed URL";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"unsupported scheme '{uri.Scheme}' (only http and https)";
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            return "malformed URL: no host";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) && Credentials(uri) is null)
        {
            return "malformed credentials in URL (user:password@)";
        }

        return null;
    }

    /// <summary>The URL without its credentials (<c>user:password@</c>), as it may be stored, logged and named.</summary>
    public static Uri WithoutCredentials(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return string.IsNullOrEmpty(url.UserInfo) ? url : new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
    }

    /// <summary>The credentials a URL carries (<c>user:password@</c>, percent-decoded), or null when it has none or an empty user.</summary>
    public static System.Net.NetworkCredential? Credentials(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrEmpty(url.UserInfo))
        {
            return null;
        }

        var userInfo = url.UserInfo;
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? string.Empty : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        return user.Length == 0 || user.Contains(':', StringComparison.Ordinal) || (user + password).Any(char.IsControl)
            ? null
            : new System.Net.NetworkCredential(user, password);
    }
}
