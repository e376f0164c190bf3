using System.Net;
using System.Security.Cryptography;
using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Haul.Tests.Fetching;

/// <summary>HTTP/2 over TLS where the server agrees to it, HTTP/1.1 everywhere else.</summary>
[Collection(NetworkTests.Name)]
public sealed class Http2Tests
{
    private static async Task<HaulOptions> TrustingAsync(string output, string config, string certificatePem)
    {
        var pem = Path.Combine(config, "server.pem");
        await File.WriteAllTextAsync(pem, certificatePem);
        return TestSupport.FastOptions(output) with { TrustedCertificateFiles = [pem] };
    }

    private static FetchTarget Target(Uri url, string folder) =>
        new(1, url, Path.Combine(folder, "file.bin"), Path.Combine(folder, "1.part"), null);

    [Fact]
    public void Requests_AskForHttp2OverTlsOnly_AndAcceptLess()
    {
        using var folder = new TempFolder();
        var options = TestSupport.FastOptions(folder.Path);
        var https = new Uri("https://127.0.0.1:1/a.jpg");
        var http = new Uri("http://127.0.0.1:1/a.jpg");

        using var secure = RequestFactory.Create(options, https, Target(https, folder.Path), 0);
        using var plain = RequestFactory.Create(options, http, Target(http, folder.Path), 0);

        Assert.Equal(HttpVersion.Version20, secure.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, secure.VersionPolicy);
        Assert.Equal(HttpVersion.Version11, plain.Version);
    }

    [Fact]
    public async Task Http2Server_EveryFileDownloadedOverHttp2_ByteIdentical_StreamsSharingConnections()
    {
        // The server speaks both; ALPN chooses, so HTTP/2 here means Haul offered h2.
        await using var server = await KestrelHttpsServer.StartAsync(HttpProtocols.Http1AndHttp2, fileCount: 24, minSize: 20_000, maxSize: 400_000);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(output.Path, config.Path, server.CertificatePem);

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(24, report.Done);
        Assert.Equal(0, report.Failed);
        Assert.Equal(24, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("HTTP/2", r.Protocol));

        // Four downloads at once as streams: far fewer connections than files.
        var connections = server.Requests.Select(r => r.ConnectionId).Distinct().Count();
        Assert.InRange(connections, 1, options.MaxConcurrency);
        foreach (var (path, body) in server.Files)
        {
            var saved = TestSupport.SavedPath(output.Path, new Uri(server.BaseUri, path));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), TestSupport.Sha256OfFile(saved));
        }
    }

    [Fact]
    public async Task PooledClientReusesOneHttp2Connection_FreshClientOpensANewOneForEveryRequest()
    {
        // The stale keep-alive retry relies on the fresh client opening a new connection, also where the pooled client
        // speaks HTTP/2: the fresh one falls back to HTTP/1.1, where a connection lifetime of zero means exactly that.
        await using var server = await KestrelHttpsServer.StartAsync(HttpProtocols.Http1AndHttp2, fileCount: 3, minSize: 1000, maxSize: 2000);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(output.Path, config.Path, server.CertificatePem);
        var certificates = CertificateValidator.Create(options);
        using var pooled = HttpClientFactory.CreatePooled(options, certificates);
        using var fresh = HttpClientFactory.CreateFresh(options, certificates);

        foreach (var (client, version) in new[] { (pooled, HttpVersion.Version20), (fresh, HttpVersion.Version11) })
        {
            foreach (var url in server.FileUrls)
            {
                using var request = RequestFactory.Create(options, url, Target(url, output.Path), 0);
                using var response = await client.SendAsync(request);
                Assert.Equal(version, response.Version);
                Assert.Equal(server.Files[url.AbsolutePath], await response.Content.ReadAsByteArrayAsync());
            }
        }

        var requests = server.Requests;
        Assert.Equal(["HTTP/2", "HTTP/2", "HTTP/2", "HTTP/1.1", "HTTP/1.1", "HTTP/1.1"], requests.Select(r => r.Protocol));
        Assert.Single(requests.Take(3).Select(r => r.ConnectionId).Distinct());
        Assert.Equal(3, requests.Skip(3).Select(r => r.ConnectionId).Distinct().Count());
        Assert.DoesNotContain(requests[0].ConnectionId, requests.Skip(3).Select(r => r.ConnectionId));
    }

    [Fact]
    public async Task Http11OnlyTlsServer_StillDownloads_AndTheStaleRaceIsSentAgainOnAFreshConnection()
    {
        // The hostile server offers ALPN http/1.1 only, and resets a keep-alive connection idle for 50 ms when it is
        // reused. One 429 (Retry-After: 1) pauses the host, so the pooled connections idle and meet the race.
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 40,
            MinFileSize = 1024,
            MaxFileSize = 16 * 1024,
            StaleAfterIdle = TimeSpan.FromMilliseconds(50),
            Tls = new ServerTls(),
        });
        var pushedBack = server.Files[10].Path;
        server.Script(pushedBack, FaultKind.TooManyRequestsSeconds);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var caFile = Path.Combine(config.Path, "ca.pem");
        await server.WriteCaCertificateAsync(caFile);
        var options = TestSupport.FastOptions(output.Path) with { TrustedCertificateFiles = [caFile] };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(40, report.Done);
        Assert.Equal(0, report.Failed);
        Assert.True(server.Counters.FaultsInjected(FaultKind.StaleReset) > 0, "the server never reset a stale connection during the run");
        Assert.True(report.RetriesByReason.GetValueOrDefault(FailureReason.StaleConnection) > 0);
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.All(journal.Where(e => !e.Item.Url.EndsWith(pushedBack, StringComparison.Ordinal)), e => Assert.Single(e.Attempts));
        foreach (var file in server.Files)
        {
            var saved = TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path));
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
        }
    }
}
