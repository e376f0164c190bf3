using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.TestServer.Tests;

/// <summary>
/// Pins what .NET's SocketsHttpHandler (HTTP/1.1) does with the protocol-violating responses, since a client must
/// detect them itself: none of them throws.
/// <list type="bullet">
/// <item>Two Content-Length lines: <c>Content.Headers.ContentLength</c> is the first value and the first value frames
/// the body; <c>Content.Headers.NonValidated["Content-Length"]</c> holds every value, one per line, in order.</item>
/// <item>One line holding a list (<c>10, 5</c>), or a negative or non-numeric value: <c>ContentLength</c> is null,
/// <c>NonValidated</c> holds the raw text, and the body is read until the connection closes. Once the body is
/// buffered, reading <c>ContentLength</c> computes the buffered length and overwrites the raw value.</item>
/// <item>An unknown Content-Encoding passes through untouched even with <c>AutomaticDecompression = All</c>.</item>
/// </list>
/// </summary>
public sealed class SocketsHttpHandlerBehaviourTests
{
    [Fact]
    public async Task Duplicate_content_length_is_not_an_error_and_both_values_stay_visible()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[0];
        server.Script(file.Path, FaultKind.DuplicateContentLength);
        using var client = TestSupport.Client(server);

        using var response = await client.GetAsync(file.Path, HttpCompletionOption.ResponseHeadersRead);

        Assert.True(response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values));
        Assert.Equal([file.Size.ToString(CultureInfo.InvariantCulture), (file.Size + 1).ToString(CultureInfo.InvariantCulture)], values);
        Assert.Equal(file.Size, response.Content.Headers.ContentLength);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await response.Content.ReadAsByteArrayAsync()));
    }

    [Theory]
    [InlineData("Content-Length: 5\r\nContent-Length: 10\r\n", 5L, new[] { "5", "10" }, "01234")]
    [InlineData("Content-Length: 10\r\nContent-Length: 5\r\n", 10L, new[] { "10", "5" }, "0123456789")]
    [InlineData("Content-Length: 10, 5\r\n", null, new[] { "10, 5" }, "0123456789")]
    public async Task The_first_of_several_content_length_lines_frames_the_body(string headers, long? length, string[] raw, string body)
    {
        var (port, served) = RespondOnce("HTTP/1.1 200 OK\r\n" + headers + "\r\n0123456789");
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/"), HttpCompletionOption.ResponseHeadersRead);

        Assert.True(response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values));
        Assert.Equal(raw, values);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        await served;
    }

    [Fact]
    public async Task Negative_content_length_reads_as_no_length_and_the_body_runs_to_the_close()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[1];
        server.Script(file.Path, FaultKind.NegativeContentLength, FaultKind.NegativeContentLength);
        using var client = TestSupport.Client(server);

        using (var streamed = await client.GetAsync(file.Path, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Null(streamed.Content.Headers.ContentLength);
            Assert.True(streamed.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values));
            Assert.Equal(["-5"], values);
            Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await streamed.Content.ReadAsByteArrayAsync()));
        }

        using var buffered = await client.GetAsync(file.Path, HttpCompletionOption.ResponseContentRead);
        Assert.Equal("-5", buffered.Content.Headers.NonValidated["Content-Length"].ToString());
        Assert.Equal(file.Size, buffered.Content.Headers.ContentLength);
        Assert.Equal(file.Size.ToString(CultureInfo.InvariantCulture), buffered.Content.Headers.NonValidated["Content-Length"].ToString());
    }

    [Fact]
    public async Task Unknown_content_encoding_passes_through_automatic_decompression()
    {
        await using var server = await TestSupport.StartAsync();
        var file = server.Files[2];
        server.Script(file.Path, FaultKind.ContentEncodingUnknown);
        using var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All }) { BaseAddress = server.BaseUri };

        using var response = await client.GetAsync(file.Path);

        Assert.Equal(["zstd"], response.Content.Headers.ContentEncoding);
        Assert.Equal(file.Size, response.Content.Headers.ContentLength);
        Assert.Equal(file.Sha256Hex, TestSupport.Sha256(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_first_content_length_beyond_the_body_ends_in_response_ended()
    {
        var (port, served) = RespondOnce("HTTP/1.1 200 OK\r\nContent-Length: 20\r\nContent-Length: 10\r\n\r\n0123456789");
        using var client = new HttpClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/")));

        Assert.Equal(HttpRequestError.ResponseEnded, error.HttpRequestError);
        await served;
    }

    /// <summary>Accepts one connection on 127.0.0.1, reads the request head, writes <paramref name="response"/> and closes.</summary>
    private static (int Port, Task Served) RespondOnce(string response)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return (port, ServeAsync());

        async Task ServeAsync()
        {
            try
            {
                using var socket = await listener.AcceptSocketAsync();
                var head = new List<byte>();
                var buffer = new byte[4096];
                while (!Encoding.Latin1.GetString([.. head]).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    head.AddRange(buffer.AsSpan(0, read));
                }

                await socket.SendAsync(Encoding.Latin1.GetBytes(response), SocketFlags.None);
                socket.Shutdown(SocketShutdown.Send);
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
