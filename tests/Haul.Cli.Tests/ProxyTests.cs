using System.Net;
using System.Net.Sockets;
using Haul.TestServer;
using Haul.TestServer.Proxies;

namespace Haul.Cli.Tests;

/// <summary><c>-x</c>, <c>--proxy-list</c>, <c>--noproxy</c>, <c>--no-proxy</c> and the proxy environment variables, in a real process.</summary>
public sealed class ProxyTests
{
    private static string[] Get(string output, IEnumerable<Uri> urls, params string[] options) =>
        ["get", "-o", output, "--no-progress", "--connect-timeout", "2", "--retry-delay", "0.05", "--retry-max-delay", "0.2", .. options, .. urls.Select(u => u.AbsoluteUri)];

    private static async Task AssertAllSavedAsync(HostileServer server, string output)
    {
        foreach (var url in server.FileUrls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }
    }

    [Fact]
    public async Task Proxy_WithCredentials_DownloadsEveryFile_AndThePasswordIsWrittenNowhere()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 3));
        await using var proxy = await TestHttpProxy.StartAsync("carol", "Hunter2-secret");
        using var folder = new TestFolder();
        var output = folder.Combine("out");

        var result = await HaulProcess.RunAsync(folder.Path, Get(output, server.FileUrls, "-v", "-x", proxy.Url("carol", "Hunter2-secret")));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, proxy.Forwarded);
        await AssertAllSavedAsync(server, output);
        Assert.DoesNotContain("Hunter2-secret", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.All(Support.AllFiles(output), f => Assert.DoesNotContain("Hunter2-secret", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Environment_HttpProxyInLowerCase_IsHonoured_AndNoProxyFlagIgnoresIt()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 2));
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var folder = new TestFolder();
        var environment = new Dictionary<string, string> { ["http_proxy"] = proxy.Url("socks5h") };

        var through = await HaulProcess.RunAsync(folder.Path, Get(folder.Combine("a"), server.FileUrls), environment: environment);
        var tunnels = proxy.Tunnels;
        var direct = await HaulProcess.RunAsync(folder.Path, Get(folder.Combine("b"), server.FileUrls, "--no-proxy"), environment: environment);

        Assert.True(through.ExitCode == 0, through.ToString());
        Assert.True(direct.ExitCode == 0, direct.ToString());
        Assert.True(tunnels >= 1);
        Assert.Equal(tunnels, proxy.Tunnels);
        await AssertAllSavedAsync(server, folder.Combine("b"));
    }

    [Fact]
    public async Task Environment_UpperCaseHttpProxy_IsIgnored_AndNoproxyStarGoesDirect()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 2));
        await using var proxy = await TestHttpProxy.StartAsync();
        using var folder = new TestFolder();

        var upper = await HaulProcess.RunAsync(folder.Path, Get(folder.Combine("a"), server.FileUrls), environment: new Dictionary<string, string> { ["HTTP_PROXY"] = proxy.Url() });
        var star = await HaulProcess.RunAsync(folder.Path, Get(folder.Combine("b"), server.FileUrls, "--noproxy", "*"), environment: new Dictionary<string, string> { ["http_proxy"] = proxy.Url() });

        Assert.True(upper.ExitCode == 0, upper.ToString());
        Assert.True(star.ExitCode == 0, star.ToString());
        Assert.Equal(0, proxy.Connections);
    }

    [Fact]
    public async Task ProxyList_WithADeadProxy_FinishesEveryFileThroughTheLiveOne_AndSaysItSetTheDeadOneAside()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 6));
        await using var live = await TestSocks5Proxy.StartAsync();
        int dead;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            dead = ((IPEndPoint)socket.LocalEndPoint!).Port;
        }

        using var folder = new TestFolder();
        var list = folder.Combine("proxies.txt");
        await File.WriteAllTextAsync(list, $"# two proxies\nsocks5://127.0.0.1:{dead}\n\n{live.Url("socks5")}\n");
        var output = folder.Combine("out");

        // Two hosts to Haul (127.0.0.1 and localhost), so that each proxy gets one.
        var urls = server.FileUrls.Take(3).Concat(server.FileUrls.Skip(3).Select(u => new UriBuilder(u) { Host = "localhost" }.Uri)).ToList();
        var result = await HaulProcess.RunAsync(folder.Path, Get(output, urls, "-v", "--proxy-list", list));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"socks5://127.0.0.1:{dead}: set aside", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("6 done, 0 failed", result.Stdout, StringComparison.Ordinal);
        using var report = Support.ParseReport(output);
        Assert.True(report.RootElement.GetRawText().Contains("proxy-failed", StringComparison.Ordinal), report.RootElement.GetRawText());
    }

    [Fact]
    public async Task Demo_IgnoresTheEnvironmentsProxy_ItsServersAreLocal()
    {
        int dead;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            dead = ((IPEndPoint)socket.LocalEndPoint!).Port;
        }

        using var folder = new TestFolder();
        var environment = new Dictionary<string, string> { ["http_proxy"] = $"http://127.0.0.1:{dead}", ["ALL_PROXY"] = $"socks5://127.0.0.1:{dead}" };

        var result = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "10", "-o", folder.Combine("demo"), "--no-progress"], timeout: TimeSpan.FromSeconds(90), environment: environment);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("proxy-failed", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadProxies_AreUsageErrors_ThatNeverEchoThePassword()
    {
        using var folder = new TestFolder();
        var list = folder.Combine("proxies.txt");
        await File.WriteAllTextAsync(list, "http://ok:1\nftp://user:TopSecret@bad:1\n");

        var scheme = await HaulProcess.RunAsync(folder.Path, ["get", "-o", folder.Combine("a"), "-x", "gopher://user:TopSecret@p:1", "http://127.0.0.1:9/x"]);
        var file = await HaulProcess.RunAsync(folder.Path, ["get", "-o", folder.Combine("b"), "--proxy-list", list, "http://127.0.0.1:9/x"]);
        var missing = await HaulProcess.RunAsync(folder.Path, ["get", "-o", folder.Combine("c"), "--proxy-list", folder.Combine("none.txt"), "http://127.0.0.1:9/x"]);

        Assert.Equal(2, scheme.ExitCode);
        Assert.Contains("--proxy: the proxy scheme 'gopher' is not supported", scheme.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, file.ExitCode);
        Assert.Contains($"{list}:2:", file.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.DoesNotContain("TopSecret", scheme.Stderr + file.Stderr, StringComparison.Ordinal);
    }
}
