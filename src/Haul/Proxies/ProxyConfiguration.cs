using Haul.Engine;

namespace Haul.Proxies;

/// <summary>
/// Which proxies a job uses, decided once from <see cref="HaulOptions"/> and the environment. An explicit proxy list
/// (<see cref="HaulOptions.ProxyList"/>) or proxy (<see cref="HaulOptions.Proxy"/>) serves every target and wins over
/// the environment; otherwise <c>http_proxy</c>, <c>https_proxy</c> and <c>all_proxy</c> choose per target scheme.
/// <see cref="HaulOptions.NoProxy"/>, or else the environment's <c>no_proxy</c>, names the hosts that go direct.
/// </summary>
internal sealed class ProxyConfiguration
{
    private ProxyConfiguration(IReadOnlyList<ProxyEndpoint> rotation, ProxyEndpoint? http, ProxyEndpoint? https, NoProxyList noProxy, IReadOnlyList<string> problems)
    {
        Rotation = rotation;
        Http = http;
        Https = https;
        NoProxy = noProxy;
        Problems = problems;
    }

    /// <summary>The proxies every target is spread across: the list, or the one explicit proxy; empty when none was given.</summary>
    public IReadOnlyList<ProxyEndpoint> Rotation { get; }

    /// <summary>The environment's proxy for http targets, when <see cref="Rotation"/> is empty.</summary>
    public ProxyEndpoint? Http { get; }

    /// <summary>The environment's proxy for https targets, when <see cref="Rotation"/> is empty.</summary>
    public ProxyEndpoint? Https { get; }

    public NoProxyList NoProxy { get; }

    /// <summary>Unusable proxy settings, each naming where it came from but never the URL (it may hold a password).</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Whether any target may go through a proxy.</summary>
    public bool UsesProxies => !NoProxy.MatchesAll && (Rotation.Count > 0 || Http is not null || Https is not null);

    public static ProxyConfiguration From(HaulOptions options)
    {
        var problems = new List<string>();
        var rotation = new List<ProxyEndpoint>();
        if (options.Proxy is not null)
        {
            Add(options.Proxy, "--proxy");
        }

        for (var i = 0; i < options.ProxyList.Count; i++)
        {
            Add(options.ProxyList[i], $"the proxy list's entry {i + 1}");
        }

        ProxyEndpoint? http = null;
        ProxyEndpoint? https = null;
        var environment = options.ProxyEnvironment;
        if (rotation.Count == 0 && environment is not null)
        {
            http = FromEnvironment(Uri.UriSchemeHttp);
            https = FromEnvironment(Uri.UriSchemeHttps);
        }

        var noProxy = NoProxyList.Parse(options.NoProxy ?? (environment is null ? null : ProxyEnvironment.NoProxy(environment)));
        return new ProxyConfiguration(rotation.Distinct().ToList(), http, https, noProxy, problems);

        void Add(string text, string source)
        {
            if (ProxyEndpoint.TryParse(text, out var endpoint, out var problem))
            {
                rotation.Add(endpoint!);
            }
            else
            {
                problems.Add($"{source}: {problem}");
            }
        }

        ProxyEndpoint? FromEnvironment(string scheme)
        {
            var (url, variable) = ProxyEnvironment.ProxyFor(scheme, environment);
            if (url is null)
            {
                return null;
            }

            if (ProxyEndpoint.TryParse(url, out var endpoint, out var problem))
            {
                return endpoint;
            }

            problems.Add($"the environment variable {variable}: {problem}");
            return null;
        }
    }

    /// <summary>The proxy for <paramref name="url"/> outside a rotation (the environment's), or null to go direct.</summary>
    public ProxyEndpoint? EnvironmentProxyFor(Uri url) =>
        NoProxy.Matches(url) ? null : url.Scheme == Uri.UriSchemeHttps ? Https : Http;
}
