using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.TestServer.Tests;

/// <summary>Minimal socket client so tests can see exactly what went over the wire.</summary>
internal static class RawHttp
{
    public static async Task<Socket> ConnectAsync(HostileServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port));
        return socket;
    }

    public static Task SendAsync(Socket socket, string path, string method = "GET", params string[] headers)
    {
        var text = new StringBuilder().Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        text.Append("\r\n");
        return socket.SendAsync(Encoding.ASCII.GetBytes(text.ToString()), SocketFlags.None);
    }

    /// <summary>Sends one request with Connection: close and reads everything until the connection ends.</summary>
    public static async Task<RawResponse> RequestAsync(HostileServer server, string path, string method = "GET", TimeSpan? limit = null, params string[] headers)
    {
        using var socket = await ConnectAsync(server);
        await SendAsync(socket, path, method, [.. headers, "Connection: close"]);
        return await ReadToEndAsync(socket, limit ?? TimeSpan.FromSeconds(5));
    }

    public static async Task<RawResponse> ReadToEndAsync(Socket socket, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var data = new MemoryStream();
        var buffer = new byte[65536];
        var reset = false;
        var timedOut = false;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                data.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            reset = true;
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
        }

        return Parse(data.ToArray(), reset, timedOut);
    }

    public static RawResponse Parse(byte[] raw, bool reset, bool timedOut)
    {
        var headEnd = raw.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return new RawResponse(0, [], [], raw, reset, timedOut);
        }

        var lines = Encoding.Latin1.GetString(raw, 0, headEnd).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = KeyValuePair.Create(line[..colon].Trim(), line[(colon + 1)..].Trim());
            headers[field.Key] = field.Value;
            fields.Add(field);
        }

        return new RawResponse(status, headers, fields, raw[(headEnd + 4)..], reset, timedOut);
    }
}
