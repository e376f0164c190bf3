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

        // A backslash does not end it: DOMAIN\user:password@host is a name of its own. Redacting too much is harmless.
        var end = text.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? text[start..] : text[start..end];
        var at = authority.LastIndexOf('@');
        return at < 0 ? text : text[..start] + "***" + text[(start + at)..];
    }

    /// <summary>
    /// Where the authority of a URL, well formed or not, begins: after an http(s) scheme and whatever slashes follow it,
    /// or after another scheme and the slashes that follow it, or else at the start (a line without a scheme, whose
    /// <c>user:</c> is no scheme). A <c>//</c> further on (in the path, or a URL in the query) is not where it begins.
    /// </summary>
    private static int AuthorityStart(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !IsScheme(text.AsSpan(0, colon)))
        {
            return 0;
        }

        var start = colon + 1;
        while (start < text.Length && text[start] is '/' or '\\')
        {
            start++;
        }

        var httpScheme = text.AsSpan(0, colon) is var scheme
            && (scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase));
        return httpScheme || start > colon + 1 ? start : 0;
    }

    /// <summary>Whether <paramref name="name"/> has the form of a URL scheme (RFC 3986: a letter, then letters, digits, +, - or .).</summary>
    private static bool IsScheme(ReadOnlySpan<char> name)
    {
        if (!char.IsAsciiLetter(name[0]))
        {
            return false;
        }

        foreach (var c in name[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Null when <paramref name="text"/> is an acceptable URL, else the rule it breaks, in a few words.</summary>
    public static string? Check(string text)
    {
        if (text.Any(char.IsWhiteSpace))
        {
            return "malformed URL: contains white space";
        }

        if (text.Any(char.IsControl))
        {
            // A NUL or an escape is no part of a URL someone meant: it would be sent percent-encoded.
            return "malformed URL: contains a control character";
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
