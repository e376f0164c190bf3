namespace Haul.Proxies;

/// <summary>
/// The proxy environment variables, read as curl reads them: <c>http_proxy</c> in lower case only (an upper-case
/// <c>HTTP_PROXY</c> can be set by a request header in CGI, the "httpoxy" hole), <c>https_proxy</c> or
/// <c>HTTPS_PROXY</c>, then <c>all_proxy</c> or <c>ALL_PROXY</c> for either scheme, and <c>no_proxy</c> or
/// <c>NO_PROXY</c>. The lower-case name wins where both are set; an empty value is no value.
/// </summary>
internal static class ProxyEnvironment
{
    /// <summary>The variable names read, for the tests' harness and the documentation.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

    /// <summary>The proxy URL for targets of <paramref name="scheme"/> (<c>http</c> or <c>https</c>), and the variable it came from.</summary>
    public static (string? Url, string? Variable) ProxyFor(string scheme, Func<string, string?> environment)
    {
        var specific = scheme == Uri.UriSchemeHttps ? First(environment, "https_proxy", "HTTPS_PROXY") : First(environment, "http_proxy");
        return specific.Url is not null ? specific : First(environment, "all_proxy", "ALL_PROXY");
    }

    /// <summary>The no_proxy list of the environment, or null when it sets none.</summary>
    public static string? NoProxy(Func<string, string?> environment) => First(environment, "no_proxy", "NO_PROXY").Url;

    private static (string? Url, string? Variable) First(Func<string, string?> environment, params string[] names)
    {
        foreach (var name in names)
        {
            if (environment(name) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), name);
            }
        }

        return (null, null);
    }
}
