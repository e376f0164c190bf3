using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Haul.TestServer.Tests;

public sealed class TlsTests
{
    private static HostileServerOptions Options(ServerCertificateKind certificate) => new()
    {
        FileCount = 4,
        MinFileSize = 100_000,
        MaxFileSize = 200_000,
        Tls = new ServerTls { Certificate = certificate },
    };

    /// <summary>An HttpClient that trusts the server's CA (only it) and records what it saw of the certificate.</summary>
    private static HttpClient TrustingClient(HostileServer server, List<SslPolicyErrors>? seen = null)
    {
        var ca = X509Certificate2.CreateFromPem(server.CaCertificatePem);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (seen is not null)
                    {
                        lock (seen)
                        {
                            seen.Add(errors);
                        }
                    }

                    if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Handshakes with the server, accepting any certificate, and returns what the client saw.</summary>
    private static async Task<(SslStream Stream, X509Certificate2 Certificate, SslPolicyErrors Errors, X509ChainStatusFlags Chain)> HandshakeAsync(HostileServer server, string host = "localhost")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        var errors = SslPolicyErrors.None;
        var flags = X509ChainStatusFlags.NoError;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ApplicationProtocols = [SslApplicationProtocol.Http11, SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, _, chain, policyErrors) =>
            {
                errors = policyErrors;
                flags = chain!.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
                return true;
            },
        });
        var certificate = X509CertificateLoader.LoadCertificate(stream.RemoteCertificate!.GetRawCertData());
        return (stream, certificate, errors, flags);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Https_with_a_ca_issued_certificate_serves_the_file_bytes_to_a_client_trusting_the_ca(string host)
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));
        var seen = new List<SslPolicyErrors>();
        using var client = TrustingClient(server, seen);
        var file = server.Files[1];

        var body = await client.GetByteArrayAsync(new Uri($"https://{host}:{server.Port}{file.Path}"));

        Assert.Equal($"https://127.0.0.1:{server.Port}/", server.BaseUri.ToString());
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(body));
        Assert.Equal(1, await TestSupport.SettledAsync(() => server.Counters.CompleteBodiesSentFor(file.Path), 1));

        // The system does not know the CA: the chain is the only complaint, never the name.
        Assert.Equal([SslPolicyErrors.RemoteCertificateChainErrors], seen);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", server.CaCertificatePem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_offers_only_http11_and_a_modern_tls_version()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));

        var (stream, certificate, _, _) = await HandshakeAsync(server);
        await using var _ = stream;

        Assert.Equal(SslApplicationProtocol.Http11, stream.NegotiatedApplicationProtocol);
        Assert.True(stream.SslProtocol is SslProtocols.Tls12 or SslProtocols.Tls13, stream.SslProtocol.ToString());
        Assert.Equal("localhost 127.0.0.1", SubjectAlternativeNames(certificate));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {server.Files[0].Path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
        var reply = new MemoryStream();
        await stream.CopyToAsync(reply);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", Encoding.Latin1.GetString(reply.ToArray()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_server_has_an_http_base_and_no_certificate()
    {
        await using var server = await TestSupport.StartAsync();

        Assert.Equal(Uri.UriSchemeHttp, server.BaseUri.Scheme);
        Assert.Null(server.CaCertificatePem);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.WriteCaCertificateAsync(Path.Combine(Path.GetTempPath(), "never.pem")));
    }

    [Fact]
    public async Task Self_signed_certificate_is_its_own_issuer_and_its_pem_is_the_one_to_trust()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.SelfSigned));

        var (stream, certificate, errors, chain) = await HandshakeAsync(server);
        await using var _ = stream;

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, errors);
        Assert.True(chain.HasFlag(X509ChainStatusFlags.UntrustedRoot), chain.ToString());
        Assert.Equal(certificate.Subject, certificate.Issuer);
        Assert.Equal(certificate.RawData, X509Certificate2.CreateFromPem(server.CaCertificatePem).RawData);
        using var client = TrustingClient(server);
        var body = await client.GetByteArrayAsync(server.Files[0].Path);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256(body));
    }

    [Fact]
    public async Task Expired_certificate_ended_before_now()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.Expired));

        var (stream, certificate, errors, chain) = await HandshakeAsync(server);
        await using var _ = stream;

        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, errors);
        Assert.True(chain.HasFlag(X509ChainStatusFlags.NotTimeValid), chain.ToString());
        Assert.True(certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow);
        using var client = TrustingClient(server);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetByteArrayAsync(server.Files[0].Path));
        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
    }

    [Fact]
    public async Task Wrong_name_certificate_mismatches_localhost_but_chains_to_the_ca()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.WrongName));

        var (stream, certificate, errors, _) = await HandshakeAsync(server);
        await using var _ = stream;

        Assert.True(errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch), errors.ToString());
        Assert.DoesNotContain("127.0.0.1", SubjectAlternativeNames(certificate), StringComparison.Ordinal);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(server.CaCertificatePem));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate));
    }

    [Fact]
    public async Task Scripted_handshake_reset_resets_after_the_client_hello_then_the_next_handshake_succeeds()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));
        server.ScriptHandshakeResets(1);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(server));

        Assert.IsAssignableFrom<IOException>(error);
        Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.HandshakeReset));
        Assert.Equal(0, server.Counters.Requests);

        var (stream, _, _, _) = await HandshakeAsync(server);
        await using var _ = stream;
        Assert.Equal(SslApplicationProtocol.Http11, stream.NegotiatedApplicationProtocol);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.HandshakeReset));
        Assert.Equal(2, server.Counters.ConnectionsAccepted);
    }

    [Theory]
    [InlineData(FaultKind.ResetMidBody)]
    [InlineData(FaultKind.Truncate)]
    public async Task Body_faults_cut_the_body_over_tls_too(FaultKind fault)
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));
        var file = server.Files[0];
        server.Script(file.Path, fault);
        using var client = TrustingClient(server);
        using var response = await client.GetAsync(file.Path, HttpCompletionOption.ResponseHeadersRead);
        using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();

        var error = await Record.ExceptionAsync(() => body.CopyToAsync(received));

        Assert.NotNull(error);
        Assert.InRange(received.Length, 1, file.Size - 1);
        Assert.Equal(1, server.Counters.FaultsInjected(fault));
        if (fault == FaultKind.ResetMidBody)
        {
            Assert.True(error.GetBaseException() is SocketException { SocketErrorCode: SocketError.ConnectionReset }, error.ToString());
        }
    }

    [Fact]
    public async Task Absolute_redirects_keep_the_https_scheme()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));
        using var client = TrustingClient(server);
        var target = server.Files[2];

        using var response = await client.GetAsync("/redirect/2" + target.Path);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(new Uri(server.BaseUri, "/redirect/1" + target.Path), response.Headers.Location);
        Assert.Equal(Uri.UriSchemeHttps, response.Headers.Location!.Scheme);
    }

    [Fact]
    public async Task Ca_pem_written_to_a_file_reads_back_as_the_ca_certificate()
    {
        await using var server = await TestSupport.StartAsync(Options(ServerCertificateKind.IssuedByCa));
        var path = Path.Combine(Path.GetTempPath(), "haul-server-tests-" + Guid.NewGuid().ToString("N") + ".pem");
        try
        {
            await server.WriteCaCertificateAsync(path);

            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            var ca = Assert.Single(collection);
            Assert.Equal("CN=Haul Test CA", ca.Subject);
            Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string SubjectAlternativeNames(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        return string.Join(' ', names.EnumerateDnsNames().Concat(names.EnumerateIPAddresses().Select(a => a.ToString())));
    }
}
