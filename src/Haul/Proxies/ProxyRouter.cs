using Haul.Engine;
using Haul.Fetching;
using Haul.Input;
using Microsoft.Extensions.Logging;

namespace Haul.Proxies;

/// <summary>
/// Decides how each request leaves: direct, or through which proxy (<see cref="ProxyConfiguration"/>), and owns one
/// pair of clients per way out, created once. With several proxies (a proxy list) hosts are spread across them: a
/// host keeps its proxy for the job while that proxy works, so a site sees one address a host. A proxy that fails
/// (<see cref="FailureReason.ProxyFailed"/>) is set aside for a while that doubles with each failure in a row (from
/// <see cref="HaulOptions.ProxySetAside"/> up to 10 minutes), and its hosts move to another proxy. A single proxy is
/// never set aside: its failures are the attempts' own, retried with backoff like any other.
/// </summary>
internal sealed class ProxyRouter : IDisposable
{
    private static readonly TimeSpan LongestSetAside = TimeSpan.FromMinutes(10);

    private readonly ProxyConfiguration _configuration;
    private readonly ProxyRoute _direct;
    private readonly ProxyRoute? _http;
    private readonly ProxyRoute? _https;
    private readonly List<ProxyRoute> _rotation = [];
    private readonly Dictionary<string, ProxyRoute> _hosts = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _setAside;
    private readonly ILogger _logger;
    private int _next;

    public ProxyRouter(HaulOptions options, CertificateValidator certificates)
    {
        _configuration = ProxyConfiguration.From(options);
        _time = options.TimeProvider;
        _setAside = options.ProxySetAside;
        _logger = options.LoggerFactory.CreateLogger("Haul.Proxies");
        _direct = Create(options, certificates, null);
        if (_configuration.NoProxy.MatchesAll)
        {
            return;
        }

        foreach (var proxy in _configuration.Rotation)
        {
            _rotation.Add(Create(options, certificates, proxy));
        }

        _http = _configuration.Http is { } http ? Create(options, certificates, http) : null;
        _https = _configuration.Https is { } https
            ? https == _configuration.Http ? _http : Create(options, certificates, https)
            : null;
    }

    /// <summary>Whether several proxies share the work, so that a failing one is set aside.</summary>
    public bool Rotates => _rotation.Count > 1;

    /// <summary>
    /// The way out for <paramref name="url"/>, or null when every proxy of the rotation is set aside; then
    /// <paramref name="wait"/> is the time until the first comes back.
    /// </summary>
    public ProxyRoute? Route(Uri url, out TimeSpan wait)
    {
        wait = TimeSpan.Zero;
        if (_configuration.NoProxy.Matches(url))
        {
            return _direct;
        }

        if (_rotation.Count == 0)
        {
            return (url.Scheme == Uri.UriSchemeHttps ? _https : _http) ?? _direct;
        }

        if (_rotation.Count == 1)
        {
            return _rotation[0];
        }

        var host = UrlNormalizer.HostKey(url);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_hosts.TryGetValue(host, out var kept) && kept.SetAsideUntil <= now)
            {
                return kept;
            }

            // A new host, or its proxy is set aside: the next proxy in turn that works, least used first.
            ProxyRoute? chosen = null;
            for (var i = 0; i < _rotation.Count; i++)
            {
                var candidate = _rotation[(_next + i) % _rotation.Count];
                if (candidate.SetAsideUntil <= now && (chosen is null || candidate.Hosts < chosen.Hosts))
                {
                    chosen = candidate;
                }
            }

            if (chosen is null)
            {
                var back = _rotation.Min(r => r.SetAsideUntil);
                wait = _time.GetElapsedTime(now, back);
                return null;
            }

            _next = (_rotation.IndexOf(chosen) + 1) % _rotation.Count;
            if (kept is not null)
            {
                kept.Hosts--;
            }

            chosen.Hosts++;
            _hosts[host] = chosen;
            if (_logger.IsEnabled(LogLevel.Information))
            {
                ProxyLog.HostAssigned(_logger, host, chosen.Proxy!.Address);
            }

            return chosen;
        }
    }

    /// <summary>Records how an attempt through <paramref name="route"/> ended at the proxy.</summary>
    public void Report(ProxyRoute route, FailureReason reason, string? detail)
    {
        if (route.Proxy is null || !Rotates || !_rotation.Contains(route))
        {
            return;
        }

        lock (_gate)
        {
            if (reason != FailureReason.ProxyFailed)
            {
                route.FailuresInARow = 0;
                return;
            }

            var now = _time.GetTimestamp();
            if (route.SetAsideUntil > now)
            {
                // Failures of attempts that started before it was set aside say nothing new.
                return;
            }

            route.FailuresInARow++;
            var factor = Math.Pow(2, Math.Min(route.FailuresInARow - 1, 16));
            var pause = TimeSpan.FromTicks((long)Math.Min(_setAside.Ticks * factor, LongestSetAside.Ticks));
            route.SetAsideUntil = now + (long)(pause.TotalSeconds * _time.TimestampFrequency);
            if (_logger.IsEnabled(LogLevel.Warning))
            {
                ProxyLog.SetAside(_logger, route.Proxy.Address, (long)pause.TotalMilliseconds, route.FailuresInARow, detail ?? "failed");
            }
        }
    }

    public void Dispose()
    {
        _direct.Dispose();
        foreach (var route in _rotation)
        {
            route.Dispose();
        }

        _http?.Dispose();
        if (_https != _http)
        {
            _https?.Dispose();
        }
    }

    private static ProxyRoute Create(HaulOptions options, CertificateValidator certificates, ProxyEndpoint? proxy) =>
        new(proxy, HttpClientFactory.CreateHandler(options, certificates, reuseConnections: true, proxy), HttpClientFactory.CreateHandler(options, certificates, reuseConnections: false, proxy));
}
