using System.Globalization;
using System.IO.Compression;
using System.Net;

namespace Haul.TestServer.Tests;

public sealed class EncodedRouteTests
{
    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Encoded_route_serves_the_file_compressed_with_its_own_etag(string coding)
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[1];
        var path = "/encoded/" + coding + file.Path;

        var response = await RawHttp.RequestAsync(server, path);

        Assert.Equal(200, response.Status);
        Assert.Equal(coding, response.Header("Content-Encoding"));
        Assert.Equal(file.ContentType, response.Header("Content-Type"));
        Assert.Equal(response.Body.Length.ToString(CultureInfo.InvariantCulture), response.Header("Content-Length"));
        Assert.Equal(file.ETag[..^1] + "-" + coding + "\"", response.Header("ETag"));
        Assert.NotEqual(TestSupport.Sha256(response.Body), file.Sha256Hex);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(Decode(coding, response.Body)));
        Assert.Equal(response.Body.Length, await TestSupport.SettledAsync(() => server.Counters.BodyBytesSentFor(path), response.Body.Length));
        Assert.Equal(1, server.Counters.CompleteBodiesSentFor(path));
        Assert.Equal(0, server.Counters.RequestsFor(file.Path));
    }

    [Theory]
    [InlineData("gzip", DecompressionMethods.GZip)]
    [InlineData("deflate", DecompressionMethods.Deflate)]
    [InlineData("br", DecompressionMethods.Brotli)]
    public async Task Http_client_decompression_reads_each_coding(string coding, DecompressionMethods method)
    {
        // Proves "deflate" is the zlib format that .NET (like browsers) expects.
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[2];
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = method }) { BaseAddress = server.BaseUri };

        var body = await client.GetByteArrayAsync("/encoded/" + coding + file.Path);

        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(body));
    }

    [Fact]
    public async Task Encoded_route_honours_a_range_on_the_encoded_bytes()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[3];
        var path = "/encoded/gzip" + file.Path;
        var whole = await RawHttp.RequestAsync(server, path);
        var etag = whole.Header("ETag")!;

        var tail = await RawHttp.RequestAsync(server, path, headers: ["Range: bytes=100-", "If-Range: " + etag]);

        Assert.Equal(206, tail.Status);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"bytes 100-{whole.Body.Length - 1}/{whole.Body.Length}"), tail.Header("Content-Range"));
        Assert.Equal(whole.Body[100..], tail.Body);
        Assert.Equal("gzip", tail.Header("Content-Encoding"));
    }

    [Fact]
    public async Task Encoded_route_sends_everything_when_if_range_names_the_identity_file()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[3];
        var path = "/encoded/br" + file.Path;

        var response = await RawHttp.RequestAsync(server, path, headers: ["Range: bytes=100-", "If-Range: " + file.ETag]);

        Assert.Equal(200, response.Status);
        Assert.Null(response.Header("Content-Range"));
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(Decode("br", response.Body)));
    }

    [Fact]
    public async Task Encoded_route_answers_head_with_the_encoded_length()
    {
        await using var server = await TestSupport.StartAsync();
        var path = "/encoded/deflate" + server.Files[0].Path;
        var get = await RawHttp.RequestAsync(server, path);

        var head = await RawHttp.RequestAsync(server, path, "HEAD");

        Assert.Equal(200, head.Status);
        Assert.Empty(head.Body);
        Assert.Equal(get.Body.Length.ToString(CultureInfo.InvariantCulture), head.Header("Content-Length"));
        Assert.Equal(get.Header("ETag"), head.Header("ETag"));
    }

    [Theory]
    [InlineData("/encoded/zstd/files/img00000.jpg")]
    [InlineData("/encoded/gzip/files/nope.jpg")]
    [InlineData("/encoded/gzip")]
    public async Task Encoded_route_is_404_for_an_unknown_coding_or_file(string path)
    {
        await using var server = await TestSupport.StartAsync();
        Assert.Equal(404, (await RawHttp.RequestAsync(server, path)).Status);
    }

    private static byte[] Decode(string coding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = coding switch
        {
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            "deflate" => new ZLibStream(input, CompressionMode.Decompress),
            _ => new BrotliStream(input, CompressionMode.Decompress),
        };
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}
