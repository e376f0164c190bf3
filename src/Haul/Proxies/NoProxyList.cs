using System.Globalization;
using System.Net;

namespace Haul.Proxies;

/// <summary>
/// The hosts that go direct, never through a proxy: curl's <c>--noproxy</c> and <c>no_proxy</c>. A comma-separated
/// list; <c>*</c> alone matches every host; a name matches itself and every name under it (<c>example.com</c> and
/// <c>.example.com</c> both match <c>example.com</c> and <c>www.example.com</c>, never <c>notexample.com</c>); an IP
/// address matches itself, and a CIDR block (<c>10.0.0.0/8</c>, <c>fd00::/8</c>) its network; <c>host:port</c>
/// matches only that port. Case does not matter; IPv6 addresses are written with or without brackets.
/// </summary>
internal sealed class NoProxyList
{
    private readonly List<Entry> _entries = [];

    private NoProxyList(bool all)
    {
        MatchesAll = all;
    }

    /// <summary>An empty list: every host may use a proxy.</summary>
    public static NoProxyList None { get; } = new(false);

    /// <summary>Whether the list is <c>*</c>: no host uses a proxy.</summary>
    public bool MatchesAll { get; }

    public static NoProxyList Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        var tokens = text.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length == 1 && tokens[0] == "*")
        {
            return new NoProxyList(true);
        }

        var list = new NoProxyList(false);
        foreach (var token in tokens)
        {
            if (ParseEntry(token) is { } entry)
            {
                list._entries.Add(entry);
            }
        }

        return list;
    }

    /// <summary>Whether <paramref name="url"/> goes direct.</summary>
    public bool Matches(Uri url)
    {
        if (MatchesAll)
        {
            return true;
        }

        var host = url.IdnHost.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : null;
        foreach (var entry in _entries)
        {
            if (entry.Port is { } port && port != url.Port)
            {
                continue;
            }

            if (entry.Network is { } network)
            {
                if (address is not null && network.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address))
                {
                    return true;
                }

                continue;
            }

            if (address is null && (host == entry.Name || host.EndsWith("." + entry.Name, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static Entry? ParseEntry(string token)
    {
        var value = token.ToLowerInvariant();
        int? port = null;
        if (value.StartsWith('['))
        {
            // [::1] or [::1]:8080
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            if (value.Length > close + 1 && value[close + 1] == ':' && int.TryParse(value.AsSpan(close + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var bracketPort))
            {
                port = bracketPort;
            }

            value = value[1..close];
        }
        else if (value.Count(c => c == ':') == 1)
        {
            // host:port (an IPv6 address has more than one colon)
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort))
            {
                return null;
            }

            port = hostPort;
            value = value[..colon];
        }

        if (IPNetwork.TryParse(value, out var network))
        {
            return new Entry(null, network, port);
        }

        if (IPAddress.TryParse(value, out var address))
        {
            return new Entry(null, new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128), port);
        }

        var name = value.Trim('.');
        return name.Length == 0 ? null : new Entry(name, null, port);
    }

    private sealed record Entry(string? Name, IPNetwork? Network, int? Port);
}
