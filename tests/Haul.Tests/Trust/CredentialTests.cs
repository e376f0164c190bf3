using Haul.Engine;
using Haul.TestServer;

namespace Haul.Tests.Trust;

/// <summary>Credentials given with -H stay with the origin of the URL they were given for.</summary>
[Collection(NetworkTests.Name)]
public sealed class CredentialTests
{
    private static readonly KeyValuePair<string, string>[] Headers =
    [
        new("Authorization", "Bearer secret-token"),
        new("Cookie", "session=secret"),
        new("Proxy-Authorization", "Basic c2VjcmV0"),
        new("X-Trace", "visible-everywhere"),
    ];

    private static Task<HostileServer> StartAsync() => HostileServer.StartAsync(new HostileServerOptions { FileCount = 2 });

    private static Uri RedirectTo(HostileServer from, Uri target) =>
        new(from.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(target.AbsoluteUri));

    [Fact]
    public async Task RedirectToAnotherOrigin_ArrivesWithoutCredentialsButWithOtherHeaders()
    {
        await using var origin = await StartAsync();
        await using var other = await StartAsync();
        using var output = new TempFolder();
        var target = TestSupport.Url(other, other.Files[0].Path);
        var options = TestSupport.FastOptions(output.Path) with { Headers = Headers };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(RedirectTo(origin, target)), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        var first = Assert.Single(origin.Counters.Log);
        Assert.Equal("Bearer secret-token", first.Authorization);
        Assert.Equal("session=secret", first.Header("Cookie"));
        var hop = Assert.Single(other.Counters.Log);
        Assert.Null(hop.Authorization);
        Assert.Null(hop.Header("Cookie"));
        Assert.Null(hop.ProxyAuthorization);
        Assert.Equal("visible-everywhere", hop.Header("X-Trace"));
    }

    [Fact]
    public async Task RedirectWithinTheOrigin_KeepsCredentials()
    {
        await using var origin = await StartAsync();
        using var output = new TempFolder();
        var target = TestSupport.Url(origin, origin.Files[0].Path);
        var options = TestSupport.FastOptions(output.Path) with { Headers = Headers };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(RedirectTo(origin, target)), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(2, origin.Counters.Log.Count);
        Assert.All(origin.Counters.Log, r => Assert.Equal("Bearer secret-token", r.Authorization));
        Assert.All(origin.Counters.Log, r => Assert.Equal("session=secret", r.Header("Cookie")));
    }

    [Fact]
    public async Task BackToTheOriginAfterAnotherOrigin_CredentialsAgainOnlyAtTheOrigin()
    {
        await using var origin = await StartAsync();
        await using var other = await StartAsync();
        using var output = new TempFolder();
        var final = TestSupport.Url(origin, origin.Files[1].Path);
        var options = TestSupport.FastOptions(output.Path) with { Headers = Headers };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(RedirectTo(origin, RedirectTo(other, final))), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.All(other.Counters.Log, r => Assert.Null(r.Authorization));
        Assert.All(origin.Counters.Log, r => Assert.Equal("Bearer secret-token", r.Authorization));
    }

    [Fact]
    public async Task SendCredentialsOnRedirect_TrustedLocationsGetThem()
    {
        await using var origin = await StartAsync();
        await using var other = await StartAsync();
        using var output = new TempFolder();
        var target = TestSupport.Url(other, other.Files[0].Path);
        var options = TestSupport.FastOptions(output.Path) with { Headers = Headers, SendCredentialsOnRedirect = true };

        await DownloadJob.RunAsync(options, TestSupport.Batch(RedirectTo(origin, target)), null, CancellationToken.None);

        Assert.Equal("Bearer secret-token", Assert.Single(other.Counters.Log).Authorization);
    }

    [Theory]
    [InlineData("https://a.example/x", "http://a.example/x", false)]
    [InlineData("https://a.example/x", "https://a.example:8443/x", false)]
    [InlineData("https://a.example/x", "https://b.example/x", false)]
    [InlineData("https://A.example/x", "https://a.example:443/y", true)]
    [InlineData("http://a.example/x", "http://a.example:80/y?z", true)]
    public void SameOrigin_SchemeHostAndPort(string a, string b, bool same) =>
        Assert.Equal(same, Haul.Fetching.RequestFactory.SameOrigin(new Uri(a), new Uri(b)));

    [Fact]
    public void TrustedLocations_NeverInClearTextAfterHttps()
    {
        var options = new HaulOptions { SendCredentialsOnRedirect = true };

        Assert.False(Haul.Fetching.RequestFactory.MaySendCredentials(options, new Uri("https://a.example/"), new Uri("http://a.example/")));
        Assert.True(Haul.Fetching.RequestFactory.MaySendCredentials(options, new Uri("https://a.example/"), new Uri("https://b.example/")));
    }
}
