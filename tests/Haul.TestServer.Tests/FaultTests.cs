using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Haul.TestServer.Tests;

public sealed class FaultTests
{
    private static Task<(HostileServer Server, ServedFile File)> StartWithScriptAsync(params FaultKind[] faults) =>
        StartWithScriptAsync(options => options, faults);

    private static async Task<(HostileServer Server, ServedFile File)> StartWithScriptAsync(
        Func<HostileServerOptions, HostileServerOptions> adjust, params FaultKind[] faults)
    {
        var server = await TestSupport.StartAsync(adjust(new HostileServerOptions
        {
            FileCount = 4,
            MinFileSize = 100_000,
            MaxFileSize = 200_000,
            StallDuration = TimeSpan.FromSeconds(2),
            SlowDripBytesPerSecond = 1_000_000,
            RetryAfterSeconds = 7,
        }));
        var file = server.Files[0];
        server.Script(file.Path, faults);
        return (server, file);
    }

    [Fact]
    public async Task Reset_mid_body_sends_part_then_rst()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.ResetMidBody);
        await using var _ = server;
        var response = await RawHttp.RequestAsync(server, file.Path);
        Assert.Equal(200, response.Status);
        Assert.True(response.WasReset);
        Assert.InRange(response.Body.Length, 1, file.Size - 1);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.ResetMidBody));
        Assert.Equal(FaultKind.ResetMidBody, server.Counters.Log.Single().Fault);
        Assert.Equal(0, server.Counters.CompleteBodiesSentFor(file.Path));

        using var client = TestSupport.Client(server);
        server.Script(file.Path, FaultKind.ResetMidBody);
        var error = await Record.ExceptionAsync(() => client.GetByteArrayAsync(file.Path));
        Assert.True(error is HttpRequestException or IOException, error?.ToString());
    }

    [Fact]
    public async Task Truncate_closes_cleanly_before_content_length()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.Truncate);
        await using var _ = server;
        var response = await RawHttp.RequestAsync(server, file.Path);
        Assert.False(response.WasReset);
        Assert.Equal(file.Size.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.InRange(response.Body.Length, 1, file.Size - 1);
        Assert.Equal(response.Body.Length, server.Counters.BodyBytesSentFor(file.Path));
    }

    [Fact]
    public async Task Stall_goes_silent_then_closes()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.Stall);
        await using var _ = server;
        using var socket = await RawHttp.ConnectAsync(server);
        await RawHttp.SendAsync(socket, file.Path);
        var watch = Stopwatch.StartNew();

        // Part of the body arrives (however busy the machine), then nothing while the socket stays open.
        var received = new MemoryStream();
        var buffer = new byte[65536];
        using (var firstBytes = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            while (RawHttp.Parse(received.ToArray(), reset: false, timedOut: false).Body.Length == 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, firstBytes.Token);
                Assert.NotEqual(0, read);
                received.Write(buffer, 0, read);
            }
        }

        var quick = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromMilliseconds(300));
        var sent = RawHttp.Parse(received.ToArray(), reset: false, timedOut: false).Body.Length + quick.Body.Length;
        Assert.True(quick.TimedOut);
        Assert.InRange(sent, 1, file.Size - 1);

        var rest = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));
        Assert.False(rest.TimedOut);
        Assert.Empty(rest.Body);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Pause_goes_silent_then_sends_the_rest()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.Pause);
        await using var _ = server;
        using var client = TestSupport.Client(server);
        var watch = Stopwatch.StartNew();

        var body = await client.GetByteArrayAsync(file.Path);

        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(body));
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Equal(FaultKind.Pause, server.Counters.Log.Single().Fault);
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.Pause));
    }

    [Fact]
    public async Task Slow_head_answers_late_then_serves_the_file()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.SlowHead);
        await using var _ = server;
        using var client = TestSupport.Client(server);
        var watch = Stopwatch.StartNew();

        using var response = await client.GetAsync(file.Path, HttpCompletionOption.ResponseHeadersRead);

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.SlowHead));
    }

    [Fact]
    public async Task Dispose_ends_a_stall_promptly()
    {
        // A stall of a minute, and a bound far from both ends: a slow machine may take seconds to dispose, but only a
        // server that waits the stall out takes a minute.
        var stall = TimeSpan.FromMinutes(1);
        var (server, file) = await StartWithScriptAsync(options => options with { StallDuration = stall }, FaultKind.Stall);
        using var socket = await RawHttp.ConnectAsync(server);
        await RawHttp.SendAsync(socket, file.Path);

        // Once part of the body is in, the server is in the stall (or about to be): it never sends the rest.
        var received = new MemoryStream();
        var buffer = new byte[65536];
        using (var firstBytes = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (RawHttp.Parse(received.ToArray(), reset: false, timedOut: false).Body.Length == 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, firstBytes.Token);
                Assert.NotEqual(0, read);
                received.Write(buffer, 0, read);
            }
        }

        var watch = Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(watch.Elapsed < stall / 4, watch.Elapsed.ToString());
    }

    [Fact]
    public async Task Slow_drip_delivers_everything_at_the_configured_rate()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.SlowDrip);
        await using var _ = server;
        using var client = TestSupport.Client(server);
        var watch = Stopwatch.StartNew();
        var body = await client.GetByteArrayAsync(file.Path);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(body));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(file.Size / 1_000_000.0 * 0.8), watch.Elapsed.ToString());
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.SlowDrip));
    }

    [Fact]
    public async Task Status_faults_carry_retry_after_in_both_forms()
    {
        // The server's clock is fake and stands still on a whole second: the date is exactly seven seconds on, however
        // long the machine takes between the server writing it and the test reading it.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var (server, file) = await StartWithScriptAsync(
            options => options with { TimeProvider = time },
            FaultKind.TooManyRequestsSeconds, FaultKind.TooManyRequestsDate, FaultKind.ServiceUnavailable,
            FaultKind.InternalServerError, FaultKind.BadGateway, FaultKind.GatewayTimeout);
        await using var _ = server;
        using var client = TestSupport.Client(server);

        using var seconds = await client.GetAsync(file.Path);
        Assert.Equal(HttpStatusCode.TooManyRequests, seconds.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), seconds.Headers.RetryAfter?.Delta);

        using var date = await client.GetAsync(file.Path);
        Assert.Equal(HttpStatusCode.TooManyRequests, date.StatusCode);
        var when = date.Headers.RetryAfter?.Date;
        Assert.NotNull(when);
        Assert.Equal(time.GetUtcNow().AddSeconds(7), when.Value);

        using var unavailable = await client.GetAsync(file.Path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), unavailable.Headers.RetryAfter?.Delta);

        foreach (var expected in new[] { HttpStatusCode.InternalServerError, HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout })
        {
            using var response = await client.GetAsync(file.Path);
            Assert.Equal(expected, response.StatusCode);
        }

        using var clean = await client.GetAsync(file.Path);
        Assert.Equal(HttpStatusCode.OK, clean.StatusCode);
        Assert.Equal(6, server.Counters.FaultsByKind.Values.Sum());
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.TooManyRequestsDate));
    }

    [Fact]
    public async Task Soft_block_and_wrong_content_type()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.SoftBlock, FaultKind.WrongContentType);
        await using var _ = server;
        using var client = TestSupport.Client(server);

        using var blocked = await client.GetAsync(file.Path);
        Assert.Equal(HttpStatusCode.OK, blocked.StatusCode);
        Assert.Equal("text/html", blocked.Content.Headers.ContentType?.MediaType);
        Assert.Contains("verify you are human", await blocked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var wrong = await client.GetAsync(file.Path);
        Assert.Equal("text/plain", wrong.Content.Headers.ContentType?.MediaType);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await wrong.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Chunked_sends_correct_bytes_without_content_length()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.Chunked, FaultKind.Chunked);
        await using var _ = server;
        var raw = await RawHttp.RequestAsync(server, file.Path);
        Assert.Equal("chunked", raw.Header("Transfer-Encoding"));
        Assert.Null(raw.Header("Content-Length"));

        using var client = TestSupport.Client(server);
        using var response = await client.GetAsync(file.Path);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await response.Content.ReadAsByteArrayAsync()));
        Assert.Equal(2, await TestSupport.SettledAsync(() => server.Counters.CompleteBodiesSentFor(file.Path), 2));
    }

    [Fact]
    public async Task Range_ignored_answers_a_range_with_the_full_body()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.RangeIgnored);
        await using var _ = server;
        var response = await RawHttp.RequestAsync(server, file.Path, headers: "Range: bytes=500-");
        Assert.Equal(200, response.Status);
        Assert.Equal(file.Size, response.Body.Length);
        Assert.Null(response.Header("Content-Range"));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.RangeIgnored));
    }

    [Fact]
    public async Task ETag_changed_bumps_the_version_and_breaks_if_range()
    {
        var (server, file) = await StartWithScriptAsync(FaultKind.ETagChanged);
        await using var _ = server;
        var response = await RawHttp.RequestAsync(server, file.Path, headers: ["Range: bytes=100-", "If-Range: " + file.ETag]);
        var current = server.GetFile(file.Path);

        Assert.Equal(2, current.Version);
        Assert.NotEqual(file.ETag, current.ETag);
        Assert.NotEqual(file.Sha256Hex, current.Sha256Hex);
        Assert.True(current.LastModified > file.LastModified);
        Assert.Equal(200, response.Status);
        Assert.Equal(current.ETag, response.Header("ETag"));
        Assert.Equal(current.Sha256Hex, TestSupport.Sha256(response.Body));
        Assert.Equal(2, server.Files[0].Version);
    }

    [Fact]
    public async Task Scripted_resets_cut_at_exact_offsets()
    {
        var (server, file) = await StartWithScriptAsync();
        await using var _ = server;
        server.ScriptResetAt(file.Path, 10_000, 50_000);

        var first = await RawHttp.RequestAsync(server, file.Path);
        Assert.True(first.WasReset);
        Assert.Equal(10_000, first.Body.Length);

        var second = await RawHttp.RequestAsync(server, file.Path, headers: "Range: bytes=10000-");
        Assert.True(second.WasReset);
        Assert.Equal(40_000, second.Body.Length);

        var third = await RawHttp.RequestAsync(server, file.Path, headers: "Range: bytes=50000-");
        Assert.False(third.WasReset);
        Assert.Equal(206, third.Status);
        Assert.Equal(file.Size - 50_000, third.Body.Length);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256([.. first.Body, .. second.Body, .. third.Body]));
        Assert.Equal(2, server.Counters.FaultsInjected(FaultKind.ResetMidBody));
    }

    [Fact]
    public async Task Scripted_none_serves_cleanly_ahead_of_the_profile()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions
        {
            FileCount = 1,
            Faults = new FaultProfile { Rates = new Dictionary<FaultKind, double> { [FaultKind.InternalServerError] = 1.0 }, MaxFaultsPerPath = 1 },
        });
        var path = server.Files[0].Path;
        server.Script(path, FaultKind.None, FaultKind.BadGateway);
        Assert.Equal(200, (await RawHttp.RequestAsync(server, path)).Status);
        Assert.Equal(502, (await RawHttp.RequestAsync(server, path)).Status);
        Assert.Equal(500, (await RawHttp.RequestAsync(server, path)).Status);
        Assert.Equal(200, (await RawHttp.RequestAsync(server, path)).Status);
    }
}
