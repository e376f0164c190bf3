using System.Security.Cryptography;

namespace Haul.TestServer.Tests;

internal static class TestSupport
{
    public static Task<HostileServer> StartAsync(HostileServerOptions? options = null) =>
        HostileServer.StartAsync(options ?? new HostileServerOptions { FileCount = 8, MinFileSize = 2000, MaxFileSize = 200_000 });

    public static HttpClient Client(HostileServer server, bool redirects = false) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = redirects, MaxAutomaticRedirections = 20 }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(10) };

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
