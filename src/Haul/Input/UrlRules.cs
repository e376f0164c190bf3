namespace Haul.Input;

/// <summary>Which URLs Haul accepts: absolute http and https URLs with a host.</summary>
public static class UrlRules
{
    /// <summary>The URL as it may be shown and stored: a password in it replaced by <c>***</c>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return text;
        }

        var at = text.IndexOf('@', StringComparison.Ordinal);
        var colon = text.IndexOf(':', text.IndexOf("//", StringComparison.Ordinal) + 2);
        return at > 0 && colon > 0 && colon < at ? text[..(colon + 1)] + "***" + text[at..] : text;
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

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "credentials in URLs are not supported (use -H 'Authorization: …')";
        }

        return null;
    }
}
