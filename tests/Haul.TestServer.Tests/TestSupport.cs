using System.Security.Cryptography;

namespace Haul.TestServer.Tests;

internal static class TestSupport
{
    public static Task<HostileServer> StartAsync(HostileServerOptions? options = null) =>
        HostileServer.StartAsync(options ?? new HostileServerOptions { FileCount = 8, MinFileSize = 2000, MaxFileSize = 200_000 });

    public static HttpClient Client(HostileServer server, bool redirects = false) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = redirects, MaxAutomaticRedirections = 20 }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(10) };

    public static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// A counter's value once it reaches <paramref name="expected"/>, or its last value after ten seconds. The server
    /// counts a body after its last write returns, which can be a moment after the client has read that body, and
    /// longer on a busy machine.
    /// </summary>
    public static async Task<T> SettledAsync<T>(Func<T> read, T expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var value = read();
        while (!EqualityComparer<T>.Default.Equals(value, expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            value = read();
        }

        return value;
    }
}
