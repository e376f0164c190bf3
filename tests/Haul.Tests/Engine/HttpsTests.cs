using System.Net;
using System.Net.Sockets;
using Haul.Engine;
using Haul.Fetching;
using Haul.Journal;
using Haul.TestServer;

namespace Haul.Tests.Engine;

/// <summary>HTTPS end to end against the hostile server's generated certificates.</summary>
[Collection(NetworkTests.Name)]
public sealed class HttpsTests
{
    private static Task<HostileServer> StartAsync(ServerCertificateKind certificate, int files = 3) =>
        HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = files,
            MinFileSize = 20_000,
            MaxFileSize = 300_000,
            Tls = new ServerTls { Certificate = certificate },
        });

    private static async Task<HaulOptions> TrustingAsync(HaulOptions options, HostileServer server, string folder)
    {
        var caFile = Path.Combine(folder, "ca.pem");
        await server.WriteCaCertificateAsync(caFile);
        return options with { TrustedCertificateFiles = [caFile] };
    }

    /// <summary>One attempt through the fetcher the job uses, to see the outcome's detail.</summary>
    private static async Task<AttemptOutcome> FetchOnceAsync(HaulOptions options, Uri url)
    {
        var journal = await SqliteJobJournal.OpenAsync(options.OutputDirectory, TimeProvider.System, CancellationToken.None);
        await using (journal)
        {
            using var fetcher = new ItemFetcher(options, journal, new JobProgress());
            var target = new FetchTarget(1, url, Path.Combine(options.OutputDirectory, "file.bin"), Path.Combine(options.OutputDirectory, "1.part"), null);
            return await fetcher.FetchAsync(target, CancellationToken.None);
        }
    }

    [Fact]
    public async Task TrustedCa_DownloadsEveryFileOverHttps_ByteIdentical()
    {
        await using var server = await StartAsync(ServerCertificateKind.IssuedByCa, files: 6);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(TestSupport.FastOptions(output.Path), server, config.Path);

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(6, report.Done);
        Assert.Equal(0, report.Failed);
        Assert.All(server.FileUrls, url => Assert.Equal(Uri.UriSchemeHttps, url.Scheme));
        foreach (var file in server.Files)
        {
            var saved = TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path));
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(saved));
        }
    }

    [Fact]
    public async Task UntrustedCa_FailsTlsAfterOneAttempt_WithoutEverSendingARequest()
    {
        await using var server = await StartAsync(ServerCertificateKind.IssuedByCa, files: 1);
        using var output = new TempFolder();
        var url = server.FileUrls.Single();

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.Tls, failure.Item.LastReason);
        Assert.Equal(FailureReason.Tls, Assert.Single(failure.Attempts).Reason);
        Assert.Equal(0, server.Counters.Requests);
        Assert.Equal(1, server.Counters.ConnectionsAccepted);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task UntrustedCa_OutcomeSaysTheIssuerIsUnknown()
    {
        await using var server = await StartAsync(ServerCertificateKind.IssuedByCa, files: 1);
        using var output = new TempFolder();

        var outcome = await FetchOnceAsync(TestSupport.FastOptions(output.Path), server.FileUrls.Single());

        Assert.Equal(FailureReason.Tls, outcome.Reason);
        Assert.False(outcome.ShouldRetry);
        Assert.Equal("certificate not trusted (unknown issuer)", outcome.Detail);
    }

    [Fact]
    public async Task SelfSigned_UntrustedSaysSelfSigned_AndTrustingTheCertificateItselfDownloads()
    {
        await using var server = await StartAsync(ServerCertificateKind.SelfSigned, files: 1);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var url = server.FileUrls.Single();

        var untrusted = await FetchOnceAsync(TestSupport.FastOptions(output.Path), url);
        var report = await DownloadJob.RunAsync(await TrustingAsync(TestSupport.FastOptions(output.Path), server, config.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(FailureReason.Tls, untrusted.Reason);
        Assert.Equal("certificate not trusted (self-signed)", untrusted.Detail);
        Assert.Equal(1, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
    }

    [Fact]
    public async Task Insecure_AcceptsEvenACertificateForAnotherName()
    {
        await using var server = await StartAsync(ServerCertificateKind.WrongName, files: 2);
        using var output = new TempFolder();
        var options = TestSupport.FastOptions(output.Path) with { Insecure = true };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(2, report.Done);
        foreach (var file in server.Files)
        {
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, TestSupport.Url(server, file.Path))));
        }
    }

    [Theory]
    [InlineData(ServerCertificateKind.WrongName, "certificate name mismatch")]
    [InlineData(ServerCertificateKind.Expired, "certificate expired")]
    public async Task TrustedCaButBadCertificate_FailsTlsOnceWithTheReason(ServerCertificateKind certificate, string detail)
    {
        await using var server = await StartAsync(certificate, files: 1);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(TestSupport.FastOptions(output.Path), server, config.Path);
        var url = server.FileUrls.Single();

        var outcome = await FetchOnceAsync(options, url);
        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(FailureReason.Tls, outcome.Reason);
        Assert.Equal(detail, outcome.Detail);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.Tls, Assert.Single(failure.Attempts).Reason);
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task ResetDuringHandshake_IsRetriedAsAConnectionReset_AndTheItemEndsDone()
    {
        await using var server = await StartAsync(ServerCertificateKind.IssuedByCa, files: 1);
        server.ScriptHandshakeResets(2);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(TestSupport.FastOptions(output.Path), server, config.Path);
        var url = server.FileUrls.Single();

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(2, server.Counters.FaultsInjected(FaultKind.HandshakeReset));
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));

        // A handshake only happens on a new connection, so this is never the stale keep-alive race: each reset costs
        // an attempt and a backoff, like any reset.
        var attempts = await TestSupport.AttemptsOfAsync(output.Path, url);
        Assert.Equal([FailureReason.ConnectionReset, FailureReason.ConnectionReset, FailureReason.None], attempts.Select(a => a.Reason));
        Assert.Equal(2, report.RetriesByReason.GetValueOrDefault(FailureReason.ConnectionReset));
        Assert.Equal(0, report.RetriesByReason.GetValueOrDefault(FailureReason.StaleConnection));
    }

    [Fact]
    public async Task ResetDuringHandshake_OutcomeSaysSo()
    {
        await using var server = await StartAsync(ServerCertificateKind.IssuedByCa, files: 1);
        server.ScriptHandshakeResets(1);
        using var output = new TempFolder();
        using var config = new TempFolder();
        var options = await TrustingAsync(TestSupport.FastOptions(output.Path), server, config.Path);

        var outcome = await FetchOnceAsync(options, server.FileUrls.Single());

        Assert.Equal(FailureReason.ConnectionReset, outcome.Reason);
        Assert.True(outcome.ShouldRetry);
        Assert.Equal("connection reset during the TLS handshake", outcome.Detail);
    }

    [Fact]
    public async Task HttpsToAServerThatAnswersInPlainHttp_FailsTlsWithAProtocolMismatch()
    {
        // A server that answers whatever it receives, the ClientHello included, with a plain HTTP error.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[4096];
            _ = await socket.ReceiveAsync(buffer, SocketFlags.None);
            await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
        });
        using var output = new TempFolder();

        var outcome = await FetchOnceAsync(TestSupport.FastOptions(output.Path), new Uri($"https://127.0.0.1:{port}/x.jpg"));
        await serve;

        Assert.Equal(FailureReason.Tls, outcome.Reason);
        Assert.False(outcome.ShouldRetry);
        Assert.Equal("handshake failed (protocol mismatch)", outcome.Detail);
    }
}
