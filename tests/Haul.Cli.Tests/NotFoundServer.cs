using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.Cli.Tests;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request at once with an empty 404, on keep-alive connections: the
/// cheapest server there is, so that a job of a million URLs measures Haul and not the server. It counts requests.
/// </summary>
internal sealed class NotFoundServer : IAsyncDisposable
{
    private static readonly byte[] Response = Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n");
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _requests;

    public NotFoundServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        _accepting = AcceptAsync();
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");

    public long Requests => Interlocked.Read(ref _requests);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[16 * 1024];
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;

                    // Answer every whole request head in the buffer (GET requests have no body).
                    int end;
                    var answered = 0;
                    while ((end = buffer.AsSpan(answered, filled - answered).IndexOf("\r\n\r\n"u8)) >= 0)
                    {
                        answered += end + 4;
                        Interlocked.Increment(ref _requests);
                        await socket.SendAsync(Response, _stop.Token);
                    }

                    buffer.AsSpan(answered, filled - answered).CopyTo(buffer);
                    filled -= answered;
                    if (filled == buffer.Length)
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the server stops.
            }
        }
    }
}
