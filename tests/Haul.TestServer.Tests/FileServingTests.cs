using System.Net;
using System.Net.Http.Headers;

namespace Haul.TestServer.Tests;

public sealed class FileServingTests
{
    [Fact]
    public async Task Files_are_served_with_correct_size_hash_type_and_signature()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions { FileCount = 12, ExtraFileSizes = [300_000] });
        using var client = TestSupport.Client(server);

        Assert.Equal(13, server.Files.Count);
        Assert.Equal(server.Files.Count, server.FileUrls.Count());
        foreach (var file in server.Files)
        {
            using var response = await client.GetAsync(file.Path);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(file.Size, body.Length);
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256(body));
            Assert.Equal(file.ContentType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(file.ContentType, ImageSignatures.DetectContentType(body));
            Assert.Equal(file.ETag, response.Headers.ETag?.ToString());
            Assert.Equal(file.LastModified, response.Content.Headers.LastModified);
            Assert.Contains("bytes", response.Headers.AcceptRanges);
            Assert.NotNull(response.Headers.Date);
        }

        Assert.Equal("/files/img00001.png", server.Files[1].Path);
        Assert.Equal("/files/large00000.jpg", server.Files[12].Path);
        Assert.Equal(300_000, server.GetFile("/files/large00000.jpg").Size);
        Assert.Equal(1, await TestSupport.SettledAsync(() => server.Counters.CompleteBodiesSentFor("/files/img00000.jpg"), 1));
    }

    [Fact]
    public async Task Sizes_stay_within_bounds()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions { FileCount = 200, MinFileSize = 1000, MaxFileSize = 5000 });
        Assert.All(server.Files, f => Assert.InRange(f.Size, 1000, 5000));
        Assert.True(server.Files.Select(f => f.Size).Distinct().Count() > 50);
    }

    [Fact]
    public async Task Head_sends_headers_only()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[0];
        var response = await RawHttp.RequestAsync(server, file.Path, "HEAD");
        Assert.Equal(200, response.Status);
        Assert.Equal(file.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Empty(response.Body);
        Assert.Equal(0, server.Counters.BodyBytesSentFor(file.Path));
    }

    [Theory]
    [InlineData("bytes=100-199", 100, 199)]
    [InlineData("bytes=1000-", 1000, -1)]
    [InlineData("bytes=-500", -500, -1)]
    [InlineData("bytes=0-99999999", 0, -1)]
    public async Task Range_requests_get_206_with_the_right_slice(string range, long start, long end)
    {
        await using var server = await TestSupport.StartAsync();
        using var client = TestSupport.Client(server);
        var file = server.Files[2];
        var whole = await client.GetByteArrayAsync(file.Path);
        var first = start < 0 ? file.Size + start : start;
        var last = end < 0 ? file.Size - 1 : end;

        using var request = new HttpRequestMessage(HttpMethod.Get, file.Path);
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {first}-{last}/{file.Size}", response.Content.Headers.ContentRange?.ToString());
        Assert.Equal(whole[(int)first..(int)(last + 1)], body);
        Assert.Equal(first == 0 ? 2 : 1, await TestSupport.SettledAsync(() => server.Counters.CompleteBodiesSentFor(file.Path), first == 0 ? 2 : 1));
    }

    [Fact]
    public async Task Range_starting_past_the_end_gets_416()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[0];
        var response = await RawHttp.RequestAsync(server, file.Path, headers: $"Range: bytes={file.Size}-");
        Assert.Equal(416, response.Status);
        Assert.Equal($"bytes */{file.Size}", response.Header("Content-Range"));
    }

    [Fact]
    public async Task If_Range_match_keeps_the_range_and_mismatch_sends_the_full_file()
    {
        await using var server = await TestSupport.StartAsync();
        using var client = TestSupport.Client(server);
        var file = server.Files[1];

        async Task<HttpResponseMessage> SendAsync(string ifRange)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, file.Path);
            request.Headers.Range = new RangeHeaderValue(10, null);
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
            return await client.SendAsync(request);
        }

        using var byTag = await SendAsync(file.ETag);
        Assert.Equal(HttpStatusCode.PartialContent, byTag.StatusCode);
        using var byDate = await SendAsync(file.LastModified.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.PartialContent, byDate.StatusCode);
        using var stale = await SendAsync("\"0-0000000000000000\"");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(file.Size, (await stale.Content.ReadAsByteArrayAsync()).Length);
        using var oldDate = await SendAsync("Mon, 01 Jan 2024 00:00:00 GMT");
        Assert.Equal(HttpStatusCode.OK, oldDate.StatusCode);

        var log = server.Counters.Log;
        Assert.Equal(4, log.Count);
        Assert.All(log, r => Assert.Equal(10, r.RangeStart));
        Assert.Equal(file.ETag, log[0].IfRange);
    }

    [Fact]
    public async Task Unknown_paths_get_404()
    {
        await using var server = await TestSupport.StartAsync();
        var response = await RawHttp.RequestAsync(server, "/files/nope.jpg");
        Assert.Equal(404, response.Status);
        Assert.Equal(404, (await RawHttp.RequestAsync(server, "/")).Status);
    }
}
