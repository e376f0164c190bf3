using System.Net;

namespace Haul.TestServer.Tests;

public sealed class RouteTests
{
    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(500)]
    public async Task Status_route_returns_that_status(int code)
    {
        await using var server = await TestSupport.StartAsync();
        var response = await RawHttp.RequestAsync(server, $"/status/{code}/x.jpg");
        Assert.Equal(code, response.Status);
        Assert.Null(response.Header("Retry-After"));
    }

    [Fact]
    public async Task Status_429_and_503_carry_retry_after()
    {
        await using var server = await TestSupport.StartAsync(new HostileServerOptions { FileCount = 1, RetryAfterSeconds = 3 });
        Assert.Equal("3", (await RawHttp.RequestAsync(server, "/status/429/a")).Header("Retry-After"));
        Assert.Equal("3", (await RawHttp.RequestAsync(server, "/status/503/a")).Header("Retry-After"));
    }

    [Fact]
    public async Task Softblock_route_is_an_html_200()
    {
        await using var server = await TestSupport.StartAsync();
        using var client = TestSupport.Client(server);
        using var response = await client.GetAsync("/softblock/img.jpg");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Content.Headers.ContentLength);
        Assert.Contains("verify you are human", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_chain_alternates_forms_and_ends_at_the_target()
    {
        await using var server = await TestSupport.StartAsync();
        var target = server.Files[3];
        var first = await RawHttp.RequestAsync(server, "/redirect/3" + target.Path);
        Assert.Equal(302, first.Status);
        Assert.Equal("/redirect/2" + target.Path, first.Header("Location"));
        var second = await RawHttp.RequestAsync(server, "/redirect/2" + target.Path);
        Assert.Equal(new Uri(server.BaseUri, "/redirect/1" + target.Path).ToString(), second.Header("Location"));
        var last = await RawHttp.RequestAsync(server, "/redirect/0" + target.Path);
        Assert.Equal(target.Path, last.Header("Location"));

        using var client = TestSupport.Client(server, redirects: true);
        var body = await client.GetByteArrayAsync("/redirect/5" + target.Path);
        Assert.Equal(target.Sha256Hex, TestSupport.Sha256(body));
    }

    [Fact]
    public async Task Loop_redirects_forever()
    {
        await using var server = await TestSupport.StartAsync();
        Assert.Equal("/loop/b", (await RawHttp.RequestAsync(server, "/loop/a")).Header("Location"));
        Assert.Equal("/loop/a", (await RawHttp.RequestAsync(server, "/loop/b")).Header("Location"));
        using var client = TestSupport.Client(server, redirects: true);
        using var response = await client.GetAsync("/loop/a");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.True(server.Counters.RequestsFor("/loop/a") >= 10);
    }
}
