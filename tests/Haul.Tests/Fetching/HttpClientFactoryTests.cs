using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Fetching;

[Collection(NetworkTests.Name)]
public sealed class HttpClientFactoryTests
{
    [Fact]
    public async Task PooledClient_ReusesOneKeepAliveConnection()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 3, MinFileSize = 1000, MaxFileSize = 2000 });
        using var client = HttpClientFactory.CreatePooled(new HaulOptions());

        foreach (var url in server.FileUrls)
        {
            await client.GetByteArrayAsync(url);
        }

        Assert.Equal(1, server.Counters.ConnectionsAccepted);
        Assert.Equal([1, 2, 3], server.Counters.Log.Select(r => r.RequestOnConnection));
    }

    [Fact]
    public async Task FreshClient_OpensANewConnectionForEveryRequest()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 3, MinFileSize = 1000, MaxFileSize = 2000 });
        using var client = HttpClientFactory.CreateFresh(new HaulOptions());

        foreach (var url in server.FileUrls)
        {
            await client.GetByteArrayAsync(url);
        }

        Assert.Equal(3, server.Counters.ConnectionsAccepted);
        Assert.All(server.Counters.Log, r => Assert.Equal(1, r.RequestOnConnection));
    }

    [Fact]
    public async Task Clients_DoNotFollowRedirectsThemselves()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 2 });
        using var client = HttpClientFactory.CreatePooled(new HaulOptions());

        using var response = await client.GetAsync(new Uri(server.BaseUri, "/redirect/1/files/img00001.png"));

        Assert.Equal(System.Net.HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(1, server.Counters.Requests);
    }
}
