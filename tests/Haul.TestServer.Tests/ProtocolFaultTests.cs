using System.Globalization;

namespace Haul.TestServer.Tests;

public sealed class ProtocolFaultTests
{
    [Fact]
    public async Task Duplicate_content_length_sends_two_values_then_the_true_body_and_closes()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.DuplicateContentLength);

        // Keep-alive asked for, so only the fault can make the server close.
        using var socket = await RawHttp.ConnectAsync(server);
        await RawHttp.SendAsync(socket, file.Path);
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.False(response.TimedOut);
        Assert.Equal(
            [file.Size.ToString(CultureInfo.InvariantCulture), (file.Size + 1).ToString(CultureInfo.InvariantCulture)],
            response.HeaderValues("Content-Length"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(response.Body));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.DuplicateContentLength));
        Assert.Equal(FaultKind.DuplicateContentLength, server.Counters.Log.Single().Fault);
    }

    [Fact]
    public async Task Duplicate_content_length_uses_the_range_length_for_a_206()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.DuplicateContentLength);

        var response = await RawHttp.RequestAsync(server, file.Path, headers: "Range: bytes=0-99");

        Assert.Equal(206, response.Status);
        Assert.Equal(["100", "101"], response.HeaderValues("Content-Length"));
        Assert.Equal(100, response.Body.Length);
    }

    [Fact]
    public async Task Negative_content_length_sends_minus_five_then_the_body_and_closes()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[1];
        server.Script(file.Path, FaultKind.NegativeContentLength);

        using var socket = await RawHttp.ConnectAsync(server);
        await RawHttp.SendAsync(socket, file.Path);
        var response = await RawHttp.ReadToEndAsync(socket, TimeSpan.FromSeconds(5));

        Assert.False(response.TimedOut);
        Assert.False(response.WasReset);
        Assert.Equal(["-5"], response.HeaderValues("Content-Length"));
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(response.Body));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.NegativeContentLength));
    }

    [Fact]
    public async Task Unknown_content_encoding_labels_the_plain_bytes_zstd_and_keeps_the_connection()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[2];
        server.Script(file.Path, FaultKind.ContentEncodingUnknown);

        var response = await RawHttp.RequestAsync(server, file.Path);

        Assert.Equal(200, response.Status);
        Assert.Equal("zstd", response.Header("Content-Encoding"));
        Assert.Equal(file.Size.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(response.Body));
        Assert.Equal(1, server.Counters.FaultsInjected(FaultKind.ContentEncodingUnknown));

        // The next request is served cleanly.
        var clean = await RawHttp.RequestAsync(server, file.Path);
        Assert.Null(clean.Header("Content-Encoding"));
        Assert.Equal(FaultKind.None, server.Counters.Log[^1].Fault);
    }

    [Theory]
    [InlineData(FaultKind.DuplicateContentLength, "duplicate-content-length")]
    [InlineData(FaultKind.NegativeContentLength, "negative-content-length")]
    [InlineData(FaultKind.ContentEncodingUnknown, "content-encoding-unknown")]
    public void Protocol_faults_have_kebab_names_but_are_never_random(FaultKind kind, string name)
    {
        Assert.Equal(name, FaultKindNames.ToName(kind));
        Assert.True(FaultKindNames.TryParse(name, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.False(FaultProfile.IsRandomKind(kind));
        Assert.DoesNotContain(kind, FaultProfile.Moderate.Rates.Keys);
        Assert.DoesNotContain(kind, FaultProfile.Hostile.Rates.Keys);
        Assert.Throws<FormatException>(() => FaultProfile.Parse(name + "=0.1"));
    }
}
