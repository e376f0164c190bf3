namespace Haul.TestServer.Tests;

public sealed class RequestLogTests
{
    [Fact]
    public async Task Log_keeps_the_request_headers_by_case_insensitive_name()
    {
        await using var server = await TestSupport.StartAsync();
        var path = server.Files[0].Path;
        await RawHttp.RequestAsync(server, path, headers:
        [
            "authorization: Basic dTpw",
            "Cookie: session=abc",
            "Proxy-Authorization: Basic cHJveHk=",
            "Referer: http://127.0.0.1/page",
            "Accept-Encoding: gzip, br",
            "X-Trace: one",
            "X-Trace: two",
        ]);

        var record = Assert.Single(server.Counters.Log);
        Assert.Equal("Basic dTpw", record.Authorization);
        Assert.Equal("session=abc", record.Cookie);
        Assert.Equal("Basic cHJveHk=", record.ProxyAuthorization);
        Assert.Equal("http://127.0.0.1/page", record.Referer);
        Assert.Equal("gzip, br", record.AcceptEncoding);
        Assert.Equal("one, two", record.Headers["x-trace"]);
        Assert.Equal("127.0.0.1", record.Header("HOST"));
        Assert.Equal("close", record.Headers["Connection"]);
        Assert.Equal(path, record.Path);
    }

    [Fact]
    public async Task Absent_headers_read_as_null()
    {
        await using var server = await TestSupport.StartAsync();
        using var client = TestSupport.Client(server);
        using var response = await client.GetAsync(server.Files[1].Path);

        var record = Assert.Single(server.Counters.Log);
        Assert.Null(record.Authorization);
        Assert.Null(record.Cookie);
        Assert.Null(record.ProxyAuthorization);
        Assert.Null(record.Referer);
        Assert.Null(record.AcceptEncoding);
        Assert.False(record.Headers.ContainsKey("Authorization"));
        Assert.Contains("Host", record.Headers.Keys);
    }
}
