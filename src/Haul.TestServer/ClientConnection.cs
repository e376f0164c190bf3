using System.Net.Sockets;

namespace Haul.TestServer;

/// <summary>Serves the requests of one accepted socket until it closes, is reset, or the server stops.</summary>
internal sealed class ClientConnection(long id, Socket socket, ServerContext context)
{
    public long Id { get; } = id;

    /// <summary>Ends the connection at once; used on server disposal.</summary>
    public void Abort() => SocketCloser.Reset(socket);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var outcome = ExchangeOutcome.Close;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new RequestReader(stream);
            outcome = await ServeAsync(stream, reader, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping; either way the socket is finished.
            outcome = ExchangeOutcome.Close;
        }
        finally
        {
            if (outcome != ExchangeOutcome.Gone)
            {
                SocketCloser.Close(socket);
            }
        }
    }

    private async Task<ExchangeOutcome> ServeAsync(NetworkStream stream, RequestReader reader, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var staleAfter = context.Options.StaleAfterIdle;
        var requestNumber = 0;
        long lastResponseAt = 0;
        while (true)
        {
            var (status, request) = await reader.ReadAsync(cancellationToken);
            switch (status)
            {
                case ReadStatus.EndOfStream:
                    return ExchangeOutcome.Close;
                case ReadStatus.TooLarge:
                    await SendBareAsync(stream, new ResponseHead(431), cancellationToken);
                    return ExchangeOutcome.Close;
                case ReadStatus.Malformed:
                    await SendBareAsync(stream, new ResponseHead(400), cancellationToken);
                    return ExchangeOutcome.Close;
            }

            requestNumber++;
            var entry = context.Counters.BeginRequest(request!, Id, requestNumber);
            if (context.Ban.RegisterArrival())
            {
                return ResetFor(entry, FaultKind.BanReset);
            }

            if (staleAfter is { } idle && requestNumber > 1 && time.GetElapsedTime(lastResponseAt) > idle)
            {
                return ResetFor(entry, FaultKind.StaleReset);
            }

            var exchange = new Exchange(context, socket, stream, request!, entry);
            var outcome = await Router.RouteAsync(exchange, cancellationToken);
            if (outcome != ExchangeOutcome.KeepOpen)
            {
                return outcome;
            }

            lastResponseAt = time.GetTimestamp();
        }
    }

    private ExchangeOutcome ResetFor(RequestEntry entry, FaultKind kind)
    {
        entry.Fault = kind;
        context.Counters.Fault(kind);
        SocketCloser.Reset(socket);
        return ExchangeOutcome.Gone;
    }

    private async Task SendBareAsync(NetworkStream stream, ResponseHead head, CancellationToken cancellationToken)
    {
        var bytes = head.Add("Content-Length", 0).Build(context.Time.GetUtcNow(), keepAlive: false);
        await stream.WriteAsync(bytes, cancellationToken);
    }
}
