using System.CommandLine;
using Haul.Engine;
using Haul.Input;
using Haul.Proxies;

namespace Haul.Cli.Commands;

/// <summary>The proxy options of <c>haul get</c> and <c>haul crawl</c>: curl's <c>-x</c> and <c>--noproxy</c>, wget's <c>--no-proxy</c>, and a proxy list.</summary>
internal sealed class ProxyOptions
{
    /// <summary>The largest proxy list read, in characters (1 MiB): a list of proxies is short.</summary>
    public const int MaxListChars = 1 << 20;

    /// <summary>The longest line of a proxy list.</summary>
    public const int MaxLineLength = 8192;

    public Option<string> Proxy { get; } = new("--proxy", "-x")
    {
        Description = "Send every request through this proxy: http://, https://, socks5:// or socks5h:// (names resolved by the proxy), with optional user:password@; wins over the environment's proxy variables.",
        HelpName = "URL",
    };

    public Option<string> ProxyList { get; } = new("--proxy-list")
    {
        Description = "Spread hosts across the proxies of FILE (one URL a line, # comments; at most 1 MiB); a failing proxy is set aside and its items go through another.",
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
            try
            {
                using var reader = new StreamReader(file);
                var lines = new BoundedLineReader(reader, $"--proxy-list {file}", MaxLineLength, MaxListChars);
                var number = 0;
                while (lines.ReadLine() is { } read)
                {
                    number++;
                    if (read.TooLong)
                    {
                        Console.Error.WriteLine($"haul: {file}:{number}: longer than {MaxLineLength} characters");
                        return null;
                    }

                    var line = read.Text.Trim();
                    if (line.Length == 0 || line.StartsWith('#'))
                    {
                        continue;
                    }

                    if (!ProxyEndpoint.TryParse(line, out _, out var problem))
                    {
                        // The line itself is not repeated: it may hold a password.
                        Console.Error.WriteLine($"haul: {file}:{number}: {problem}");
                        return null;
                    }

                    proxies.Add(line);
                }
            }
            catch (InvalidDataException exception)
            {
                Console.Error.WriteLine($"haul: {exception.Message}");
                return null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"haul: --proxy-list {file}: {exception.Message}");
                return null;
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
