using System.Net;
using System.Net.Sockets;
using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;
using Haul.TestServer.Proxies;

namespace Haul.Tests.Proxies;

/// <summary>Whole jobs through the test proxies on loopback: every file verified, and the proxies saw the traffic.</summary>
[Collection(NetworkTests.Name)]
public sealed class ProxyDownloadTests
{
    private static Task<HostileServer> StartServerAsync(int files = 6, ServerTls? tls = null) =>
        HostileServer.StartAsync(new HostileServerOptions { FileCount = files, MinFileSize = 2_000, MaxFileSize = 60_000, Tls = tls });

    private static HaulOptions Options(string output, string? proxy) =>
        TestSupport.FastOptions(output) with { Proxy = proxy, ProxyEnvironment = null };

    private static void AssertEveryFileSaved(HostileServer server, string output, Func<Uri, Uri>? rewrite = null)
    {
        foreach (var file in server.Files)
        {
            var url = TestSupport.Url(server, file.Path);
            var saved = TestSupport.SavedPath(output, rewrite?.Invoke(url) ?? url);
            Assert.Equal(server.GetFile(file.Path).Sha256Hex, TestSupport.Sha256OfFile(saved));
        }
    }

    private static Uri ByName(Uri url) => new UriBuilder(url) { Host = "localhost" }.Uri;

    [Fact]
    public async Task HttpProxy_HttpTargets_AreForwardedInAbsoluteForm()
    {
        await using var server = await StartServerAsync();
        await using var proxy = await TestHttpProxy.StartAsync();
        using var output = new TempFolder();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url()), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(6, report.Done);
        Assert.Equal(6, proxy.Forwarded);
        Assert.Equal(0, proxy.Tunnels);
        Assert.All(proxy.Targets, t => Assert.Equal($"127.0.0.1:{server.Port}", t));
        AssertEveryFileSaved(server, output.Path);
    }

    [Fact]
    public async Task HttpProxy_HttpsTargets_GoThroughConnectTunnels()
    {
        await using var server = await StartServerAsync(tls: new ServerTls());
        await using var proxy = await TestHttpProxy.StartAsync();
        using var output = new TempFolder();
        var ca = Path.Combine(output.Path, "ca.pem");
        await server.WriteCaCertificateAsync(ca);
        var options = Options(Path.Combine(output.Path, "out"), proxy.Url()) with { TrustedCertificateFiles = [ca] };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(6, report.Done);
        Assert.True(proxy.Tunnels >= 1);
        Assert.Equal(0, proxy.Forwarded);
        Assert.Equal(proxy.Tunnels, server.Counters.ConnectionsAccepted);
        AssertEveryFileSaved(server, options.OutputDirectory);
    }

    [Fact]
    public async Task HttpsProxy_TlsToTheProxy_CarriesHttpAndHttpsTargets()
    {
        await using var server = await StartServerAsync(files: 3);
        await using var proxy = await TestHttpProxy.StartAsync(tls: true);
        using var output = new TempFolder();
        var ca = Path.Combine(output.Path, "proxy-ca.pem");
        await proxy.WriteCaCertificateAsync(ca);
        var options = Options(Path.Combine(output.Path, "out"), proxy.Url()) with { TrustedCertificateFiles = [ca] };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        Assert.Equal(3, proxy.Forwarded);
        AssertEveryFileSaved(server, options.OutputDirectory);
    }

    [Fact]
    public async Task HttpProxy_WithCredentialsInItsUrl_AnswersTheChallenge()
    {
        await using var server = await StartServerAsync(files: 3);
        await using var proxy = await TestHttpProxy.StartAsync("alice", "s3cret:@");
        using var output = new TempFolder();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url("alice", "s3cret:@")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        Assert.Equal(3, proxy.Forwarded);
        Assert.True(proxy.Challenges >= 1, "the proxy never asked for credentials");
        Assert.All(server.Counters.Log, r => Assert.DoesNotContain(r.Headers, h => h.Key.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task HttpProxy_WrongPassword_FailsOnceWithProxyFailed_AndNeverWritesThePassword()
    {
        await using var server = await StartServerAsync(files: 1);
        await using var proxy = await TestHttpProxy.StartAsync("alice", "right");
        using var output = new TempFolder();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url("alice", "wrong-pw")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ProxyFailed, failure.Item.LastReason);
        Assert.Contains("407", Assert.Single(failure.Attempts).Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Counters.Requests);
        var written = string.Join('\n', Directory.GetFiles(output.Path, "*", SearchOption.TopDirectoryOnly).Select(File.ReadAllText));
        Assert.Contains("proxy-failed", written, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pw", written, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpProxy_WrongPassword_ForAnHttpsTarget_FailsOnceAtConnect()
    {
        await using var server = await StartServerAsync(files: 1, tls: new ServerTls());
        await using var proxy = await TestHttpProxy.StartAsync("alice", "right");
        using var output = new TempFolder();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url("alice", "wrong-pw")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ProxyFailed, failure.Item.LastReason);
        Assert.Contains("407 to CONNECT", Assert.Single(failure.Attempts).Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Counters.ConnectionsAccepted);
    }

    [Theory]
    [InlineData("socks5h", SocksRequest.DomainName, "localhost")]
    [InlineData("socks5", SocksRequest.IPv4, "127.0.0.1")]
    public async Task Socks5_ResolvesNamesWhereItsSchemeSays(string scheme, byte addressType, string sent)
    {
        await using var server = await StartServerAsync(files: 4);
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var output = new TempFolder();
        var urls = server.FileUrls.Select(ByName).ToList();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url(scheme)), TestSupport.Batch(urls), null, CancellationToken.None);

        Assert.Equal(4, report.Done);
        Assert.NotEmpty(proxy.Requests);
        Assert.All(proxy.Requests, r =>
        {
            Assert.Equal(addressType, r.AddressType);
            Assert.Equal(sent, r.Host);
            Assert.Equal(server.Port, r.Port);
        });
        AssertEveryFileSaved(server, output.Path, ByName);
    }

    [Fact]
    public async Task Socks5_HttpsTarget_TlsGoesThroughTheTunnel()
    {
        await using var server = await StartServerAsync(files: 3, tls: new ServerTls());
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var output = new TempFolder();
        var ca = Path.Combine(output.Path, "ca.pem");
        await server.WriteCaCertificateAsync(ca);
        var options = Options(Path.Combine(output.Path, "out"), proxy.Url("socks5h")) with { TrustedCertificateFiles = [ca] };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        Assert.Equal(proxy.Tunnels, server.Counters.ConnectionsAccepted);
        AssertEveryFileSaved(server, options.OutputDirectory);
    }

    [Fact]
    public async Task Socks5_UserAndPassword_AreSent_AndAWrongPasswordFailsClearly()
    {
        await using var server = await StartServerAsync(files: 2);
        await using var proxy = await TestSocks5Proxy.StartAsync("bob", "pa ss");
        using var good = new TempFolder();
        using var bad = new TempFolder();

        var done = await DownloadJob.RunAsync(Options(good.Path, proxy.Url("socks5", "bob", "pa ss")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);
        var failed = await DownloadJob.RunAsync(Options(bad.Path, proxy.Url("socks5", "bob", "nope")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(2, done.Done);
        Assert.Equal(2, failed.Failed);
        Assert.All(failed.Failures, f =>
        {
            Assert.Equal(FailureReason.ProxyFailed, f.Item.LastReason);
            var attempt = Assert.Single(f.Attempts);
            Assert.Contains("refused the user name and password", attempt.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("nope", attempt.Detail, StringComparison.Ordinal);
        });
        Assert.Equal(2, proxy.AuthFailures);
    }

    [Fact]
    public async Task ProxyThatNeverAnswers_IsBoundedByTheConnectDeadline_AndIsTheProxysFailure()
    {
        await using var server = await StartServerAsync(files: 1);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(16);
        using var output = new TempFolder();
        var options = Options(output.Path, $"socks5://127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}") with
        {
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
            MaxAttempts = 2,
        };

        var started = TimeProvider.System.GetTimestamp();
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.ProxyFailed, failure.Item.LastReason);
        Assert.All(failure.Attempts, a => Assert.Contains("within 0.3 s", a.Detail, StringComparison.Ordinal));
        Assert.Equal(0, server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task ProxyList_DeadProxyIsSetAside_AndItsItemsFinishThroughTheLiveOne()
    {
        await using var server = await StartServerAsync(files: 12);
        await using var live = await TestHttpProxy.StartAsync();
        var dead = ClosedPort();
        using var output = new TempFolder();
        var logs = new ListLoggerProvider();
        var options = TestSupport.FastOptions(output.Path) with
        {
            ProxyList = [$"http://127.0.0.1:{dead}", live.Url()],
            ProxyEnvironment = null,
            LoggerFactory = new Microsoft.Extensions.Logging.LoggerFactory([logs]),
        };

        // Two hosts (127.0.0.1 and localhost are two hosts to Haul), so each proxy gets one.
        var urls = server.FileUrls.Take(6).Concat(server.FileUrls.Skip(6).Select(ByName)).ToList();
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(urls), null, CancellationToken.None);

        Assert.Equal(12, report.Done);
        Assert.Equal(0, report.Failed);
        Assert.True(report.RetriesByReason.GetValueOrDefault(FailureReason.ProxyFailed) >= 1, "no item met the dead proxy");
        Assert.Equal(12, live.Forwarded);
        Assert.Contains(logs.Messages, m => m.Contains($"http://127.0.0.1:{dead}: set aside", StringComparison.Ordinal));
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.Contains(journal.SelectMany(e => e.Attempts), a => a.Reason == FailureReason.ProxyFailed && a.Detail!.Contains("connection refused", StringComparison.Ordinal));
        var reportJson = await File.ReadAllTextAsync(Path.Combine(output.Path, "report.json"));
        Assert.Contains("proxy-failed", reportJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyList_EveryProxyDead_ItemsWaitWithinTheirBudget_ThenFailAsTheProxies()
    {
        await using var server = await StartServerAsync(files: 2);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with
        {
            ProxyList = [$"http://127.0.0.1:{ClosedPort()}", $"socks5://127.0.0.1:{ClosedPort()}"],
            ProxyEnvironment = null,
            ProxySetAside = TimeSpan.FromMilliseconds(200),
            ItemTimeout = TimeSpan.FromSeconds(3),
            MaxAttempts = 3,
        };

        var started = TimeProvider.System.GetTimestamp();
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(2, report.Failed);
        Assert.All(report.Failures, f => Assert.Equal(FailureReason.ProxyFailed, f.Item.LastReason));

        // Three tries would be spent in well under a second; waiting for a proxy spends none, so the items wait
        // (through set-asides of 0.2, 0.4, 0.8, 1.6 s…) until their 3 s budget says stop.
        Assert.True(elapsed > TimeSpan.FromSeconds(1.5), $"the items gave up after {elapsed}");
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"the items took {elapsed}");
        Assert.All(report.Failures, f => Assert.Contains(f.Attempts, a => a.Detail == "every proxy is set aside"));
        Assert.Equal(0, server.Counters.ConnectionsAccepted);
    }

    [Fact]
    public async Task StaleKeepAliveRace_ThroughSocks5_AllDoneWithoutFailures()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 60,
            MinFileSize = 1024,
            MaxFileSize = 16 * 1024,
            StaleAfterIdle = TimeSpan.FromMilliseconds(50),
        });
        server.Script(server.Files[20].Path, FaultKind.TooManyRequestsSeconds);
        await using var proxy = await TestSocks5Proxy.StartAsync();
        using var output = new TempFolder();

        var report = await DownloadJob.RunAsync(Options(output.Path, proxy.Url("socks5h")), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(60, report.Done);
        Assert.Equal(0, report.Failed);
        Assert.True(server.Counters.FaultsInjected(FaultKind.StaleReset) > 0, "the server never reset a stale connection during the run");
        // Through a tunnel the server's reset reaches Haul as the proxy closing the connection; either way a reused
        // connection that breaks before any response byte is sent again at once, costing no attempt.
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.All(journal.Where(e => !e.Item.Url.EndsWith(server.Files[20].Path, StringComparison.Ordinal)), e => Assert.Single(e.Attempts));
        Assert.Equal(0, report.RetriesByReason.GetValueOrDefault(FailureReason.ProxyFailed));
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
