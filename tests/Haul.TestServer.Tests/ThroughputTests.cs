using System.Diagnostics;
using System.Net;

namespace Haul.TestServer.Tests;

public sealed class ThroughputTests
{
    [Fact]
    public async Task Serves_five_hundred_files_concurrently_in_seconds()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 500, MaxFileSize = 64 * 1024 });
        using var client = TestSupport.Client(server);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(server.Files.ToList(), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (file, ct) =>
        {
            var body = await client.GetByteArrayAsync(file.Path, ct);
            Assert.Equal(file.Size, body.Length);
        });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        Assert.Equal(500, server.Counters.Requests);
        Assert.Equal(server.Files.Sum(f => f.Size), await TestSupport.SettledAsync(() => server.Counters.BodyBytesSent, server.Files.Sum(f => f.Size)));
        Assert.Equal(server.Files.Count, await TestSupport.SettledAsync(() => server.Files.Count(f => server.Counters.CompleteBodiesSentFor(f.Path) == 1), server.Files.Count));
    }

    [Fact]
    public async Task Large_file_streams_and_hashes_correctly()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 0, ExtraFileSizes = [20 * 1024 * 1024 + 17] });
        using var client = TestSupport.Client(server);
        var file = server.Files[0];
        using var response = await client.GetAsync(file.Path, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var hash = await System.Security.Cryptography.SHA256.HashDataAsync(stream);
        Assert.Equal(file.Sha256Hex, Convert.ToHexStringLower(hash));
    }

    [Theory]
    [InlineData("moderate")]
    [InlineData("hostile")]
    public async Task A_retrying_client_always_finishes_under_a_profile(string profile)
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            FileCount = 60,
            MaxFileSize = 32 * 1024,
            Faults = FaultProfile.Parse(profile),
            StallDuration = TimeSpan.FromMilliseconds(200),
            SlowDripBytesPerSecond = 4 * 1024 * 1024,
            RetryAfterSeconds = 0,
        });
        using var client = TestSupport.Client(server);
        await Parallel.ForEachAsync(server.Files.Select(f => f.Path).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (path, ct) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 10, "too many attempts for " + path);
                try
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    // Every fault ends within a stall (200 ms) on its own; the limit only ends an attempt that would hang,
                    // and leaves a loaded machine time to finish an attempt no fault slowed.
                    cts.CancelAfter(TimeSpan.FromSeconds(10));
                    using var response = await client.GetAsync(path, cts.Token);
                    var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
                    if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType != "text/html"
                        && response.Content.Headers.ContentType?.MediaType != "text/plain"
                        && TestSupport.Sha256(body) == server.GetFile(path).Sha256Hex)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
                {
                }
            }
        });

        Assert.True(server.Counters.FaultsByKind.Values.Sum() > 3);
        Assert.True(server.Counters.FaultsByKind.Keys.All(FaultProfile.IsRandomKind));
    }
}
