namespace Haul.Input;

/// <summary>Which URLs Haul accepts: absolute http and https URLs with a host.</summary>
public static class UrlRules
{
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
            return "credentials in URLs are not supported";
        }

        return null;
    }
}
