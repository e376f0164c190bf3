using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.Tests;

/// <summary>
/// A loopback HTTP/1.1 server that answers each connection with the next scripted handler, for responses the hostile
/// server does not make. It records every request head it read.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<Func<NetworkStream, CancellationToken, Task>> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _requests = [];
    private readonly Task _loop;

    private ScriptedServer(IEnumerable<Func<NetworkStream, CancellationToken, Task>> script)
    {
        _script = new Queue<Func<NetworkStream, CancellationToken, Task>>(script);
        _listener.Start();
        _loop = AcceptAsync();
    }

    public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Request heads read so far, oldest first.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static ScriptedServer Start(params Func<NetworkStream, CancellationToken, Task>[] script) => new(script);

    /// <summary>A handler that sends <paramref name="head"/> and then <paramref name="body"/> and closes.</summary>
    public static Func<NetworkStream, CancellationToken, Task> Respond(string head, byte[] body) => async (stream, token) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"), token);
        await stream.WriteAsync(body, token);
    };

    /// <summary>A handler that sends <paramref name="head"/> and then bytes without end, until the client goes away.</summary>
    public static Func<NetworkStream, CancellationToken, Task> Endless(string head) => async (stream, token) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"), token);
        var chunk = new byte[64 * 1024];
        chunk.AsSpan().Fill((byte)'x');
        while (!token.IsCancellationRequested)
        {
            await stream.WriteAsync(chunk, token);
            await Task.Delay(5, token);
        }
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
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
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        _requests.Add(await ReadHeadAsync(stream, _stop.Token));
                        Func<NetworkStream, CancellationToken, Task>? handler;
                        lock (_script)
                        {
                            _script.TryDequeue(out handler);
                        }

                        if (handler is not null)
                        {
                            await handler(stream, _stop.Token);
                        }
                    }
                    catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
                    {
                        // The client went away.
                    }
                }
            });
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken token)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(buffer, token) == 1)
        {
            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}
