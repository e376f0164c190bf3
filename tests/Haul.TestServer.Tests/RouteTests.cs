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

    [Theory]
    [InlineData(null, 302)]
    [InlineData("301", 301)]
    [InlineData("303", 303)]
    [InlineData("307", 307)]
    [InlineData("308", 308)]
    public async Task Redirect_to_sends_the_decoded_url_with_the_status_asked_for(string? status, int expected)
    {
        await using var server = await TestSupport.StartAsync();
        const string Target = "http://127.0.0.1:9/files/a%20b.jpg?x=1&y=2";
        var query = "/redirect-to?url=" + Uri.EscapeDataString(Target) + (status is null ? string.Empty : "&status=" + status);

        var response = await RawHttp.RequestAsync(server, query);

        Assert.Equal(expected, response.Status);
        Assert.Equal(Target, response.Header("Location"));
        Assert.Equal("/redirect-to", server.Counters.Log.Single().Path);
    }

    [Theory]
    [InlineData("/redirect-to")]
    [InlineData("/redirect-to?url=")]
    [InlineData("/redirect-to?url=%2Ffiles%2Fx.jpg")]
    [InlineData("/redirect-to?url=http%3A%2F%2F127.0.0.1%2F%0D%0AX-Injected%3A%201")]
    [InlineData("/redirect-to?url=http%3A%2F%2F127.0.0.1%2F&status=200")]
    [InlineData("/redirect-to?url=http%3A%2F%2F127.0.0.1%2F&status=abc")]
    public async Task Redirect_to_refuses_a_missing_or_unsafe_url_or_a_non_redirect_status(string query)
    {
        await using var server = await TestSupport.StartAsync();
        var response = await RawHttp.RequestAsync(server, query);
        Assert.Equal(400, response.Status);
        Assert.Null(response.Header("Location"));
        Assert.Null(response.Header("X-Injected"));
    }

    [Fact]
    public async Task Redirect_to_bounces_between_two_origins()
    {
        await using var first = await TestSupport.StartAsync();
        await using var second = await TestSupport.StartAsync();
        var target = first.Files[2];

        // first -> second -> first's file: two cross-origin hops.
        var back = new Uri(first.BaseUri, target.Path).ToString();
        var viaSecond = new Uri(second.BaseUri, "/redirect-to?status=307&url=" + Uri.EscapeDataString(back)).ToString();
        var start = "/redirect-to?url=" + Uri.EscapeDataString(viaSecond);

        using var client = TestSupport.Client(first, redirects: true);
        var body = await client.GetByteArrayAsync(start);

        Assert.Equal(target.Sha256Hex, TestSupport.Sha256(body));
        Assert.Equal(["/redirect-to", target.Path], first.Counters.Log.Select(r => r.Path));
        Assert.Equal("/redirect-to", Assert.Single(second.Counters.Log).Path);
        Assert.Equal(307, second.Counters.Log[0].Status);
        Assert.NotEqual(first.Port, second.Port);
    }
}
