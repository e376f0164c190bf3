using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Haul.Tests.Fetching;

/// <summary>
/// Kestrel on 127.0.0.1 over HTTPS with a self-signed certificate it generates, serving seeded random files at
/// <c>/files/NAME.bin</c> and recording the protocol and connection of every request. ALPN picks the protocol among
/// <see cref="HttpProtocols"/>, as a real server's does.
/// </summary>
internal sealed class KestrelHttpsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<ServedRequest> _requests = new();
    private readonly Dictionary<string, byte[]> _files;

    private KestrelHttpsServer(WebApplication app, X509Certificate2 certificate, Dictionary<string, byte[]> files)
    {
        _app = app;
        _certificate = certificate;
        _files = files;
    }

    /// <summary>A request as the server saw it: its protocol (<c>HTTP/2</c>, <c>HTTP/1.1</c>) and Kestrel's connection id.</summary>
    public sealed record ServedRequest(string Path, string Protocol, string ConnectionId);

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>The served files by path.</summary>
    public IReadOnlyDictionary<string, byte[]> Files => _files;

    public IEnumerable<Uri> FileUrls => _files.Keys.Order(StringComparer.Ordinal).Select(path => new Uri(BaseUri, path));

    public IReadOnlyList<ServedRequest> Requests => [.. _requests];

    /// <summary>The server's own certificate in PEM, to trust it.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    public static async Task<KestrelHttpsServer> StartAsync(HttpProtocols protocols, int fileCount, int minSize, int maxSize, int seed = 7)
    {
        var random = new Random(seed);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 1; i <= fileCount; i++)
        {
            var body = new byte[random.Next(minSize, maxSize + 1)];
            random.NextBytes(body);
            files[$"/files/f{i:D3}.bin"] = body;
        }

        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var server = new KestrelHttpsServer(app, certificate, files);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.BaseUri = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private static X509Certificate2 CreateCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var selfSigned = request.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pfx), password: null);
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.Enqueue(new ServedRequest(path, context.Request.Protocol, context.Connection.Id));
        if (!_files.TryGetValue(path, out var body))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
