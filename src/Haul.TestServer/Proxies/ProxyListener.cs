using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Haul.TestServer.Proxies;

/// <summary>A listening socket on 127.0.0.1 (an ephemeral port) that hands each accepted connection to a handler, and stops them all on dispose.</summary>
internal sealed class ProxyListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Func<Socket, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private readonly Task _acceptLoop;

    public ProxyListener(Func<Socket, CancellationToken, Task> handle)
    {
        _handle = handle;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Listen(512);
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync();
        _socket.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_running.Keys);
        _shutdown.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_shutdown.IsCancellationRequested)
        {
            var client = await _socket.AcceptAsync(_shutdown.Token);
            client.NoDelay = true;
            var task = RunAsync(client);
            _running.TryAdd(task, true);
            _ = task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task RunAsync(Socket client)
    {
        await Task.Yield();
        try
        {
            await _handle(client, _shutdown.Token);
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException
            or System.Security.Authentication.AuthenticationException)
        {
            // The client went away, or the listener stops.
        }
        finally
        {
            client.Dispose();
        }
    }
}
