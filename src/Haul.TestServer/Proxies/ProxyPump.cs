namespace Haul.TestServer.Proxies;

/// <summary>Copies bytes both ways between a client and a target until either side closes, then closes both.</summary>
internal static class ProxyPump
{
    public static async Task RunAsync(Stream client, Stream target, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var up = CopyAsync(client, target, done.Token);
        var down = CopyAsync(target, client, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        await Task.WhenAll(Quiet(up), Quiet(down));
    }

    private static async Task CopyAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await from.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static async Task Quiet(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // One side closed or reset: the tunnel is over either way.
        }
    }
}
