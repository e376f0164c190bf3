using System.CommandLine;
using Haul.Engine;
using Haul.Proxies;

namespace Haul.Cli.Commands;

/// <summary>The proxy options of <c>haul get</c> and <c>haul crawl</c>: curl's <c>-x</c> and <c>--noproxy</c>, wget's <c>--no-proxy</c>, and a proxy list.</summary>
internal sealed class ProxyOptions
{
    public Option<string> Proxy { get; } = new("--proxy", "-x")
    {
        Description = "Send every request through this proxy: http://, https://, socks5:// or socks5h:// (names resolved by the proxy), with optional user:password@; wins over the environment's proxy variables.",
        HelpName = "URL",
    };

    public Option<string> ProxyList { get; } = new("--proxy-list")
    {
        Description = "Spread hosts across the proxies of FILE (one URL a line, # comments); a failing proxy is set aside and its items go through another.",
        HelpName = "FILE",
    };

    public Option<string> NoProxy { get; } = new("--noproxy")
    {
        Description = "Hosts that go direct: comma-separated names (with the names under them), IP addresses, CIDR blocks, host:port; '*' for all. Overrides no_proxy.",
        HelpName = "LIST",
    };

    public Option<bool> NoProxyEnvironment { get; } = new("--no-proxy")
    {
        Description = "Ignore the proxy environment variables (http_proxy, https_proxy, all_proxy, no_proxy).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Proxy);
        command.Options.Add(ProxyList);
        command.Options.Add(NoProxy);
        command.Options.Add(NoProxyEnvironment);
    }

    /// <summary>Adds the proxy settings to <paramref name="options"/>; prints the problem and returns null when the list file is unusable.</summary>
    public HaulOptions? Apply(ParseResult result, HaulOptions options)
    {
        var proxies = new List<string>();
        if (result.GetValue(ProxyList) is { } file)
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"haul: --proxy-list {file}: {exception.Message}");
                return null;
            }

            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                if (!ProxyEndpoint.TryParse(line, out _, out var problem))
                {
                    // The line itself is not repeated: it may hold a password.
                    Console.Error.WriteLine($"haul: {file}:{i + 1}: {problem}");
                    return null;
                }

                proxies.Add(line);
            }

            if (proxies.Count == 0)
            {
                Console.Error.WriteLine($"haul: --proxy-list {file} names no proxy");
                return null;
            }
        }

        return options with
        {
            Proxy = result.GetValue(Proxy),
            ProxyList = proxies,
            NoProxy = result.GetValue(NoProxy),
            ProxyEnvironment = result.GetValue(NoProxyEnvironment) ? null : options.ProxyEnvironment,
        };
    }
}
