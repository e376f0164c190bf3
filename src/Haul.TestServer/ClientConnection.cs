using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Haul.TestServer;

/// <summary>Serves the requests of one accepted socket until it closes, is reset, or the server stops.</summary>
internal sealed class ClientConnection(long id, Socket socket, ServerContext context)
{
    /// <summary>A TLS record header: content type, version, length.</summary>
    private const int TlsRecordHeaderLength = 5;

    public long Id { get; } = id;

    /// <summary>Ends the connection at once; used on server disposal.</summary>
    public void Abort() => SocketCloser.Reset(socket);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var outcome = ExchangeOutcome.Close;
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: false);
            if (context.Certificates is not { } certificates)
            {
                using var reader = new RequestReader(network);
                outcome = await ServeAsync(network, reader, cancellationToken);
                return;
            }

            if (context.Planner.TakeHandshakeReset())
            {
                outcome = await ResetHandshakeAsync(network, cancellationToken);
                return;
            }

            await using var tls = new SslStream(network, leaveInnerStreamOpen: true);
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificates.Context,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                },
                cancellationToken);
            using (var reader = new RequestReader(tls))
            {
                outcome = await ServeAsync(tls, reader, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, refused the handshake, or the server is stopping; either way the socket is finished.
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

    /// <summary>Reads the first TLS record (the ClientHello), then resets: the client meets a reset mid-handshake.</summary>
    private async Task<ExchangeOutcome> ResetHandshakeAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var header = new byte[TlsRecordHeaderLength];
        await network.ReadExactlyAsync(header, cancellationToken);
        var length = (header[3] << 8) | header[4];
        await network.ReadExactlyAsync(new byte[length], cancellationToken);
        context.Counters.Fault(FaultKind.HandshakeReset);
        SocketCloser.Reset(socket);
        return ExchangeOutcome.Gone;
    }

    private async Task<ExchangeOutcome> ServeAsync(Stream stream, RequestReader reader, CancellationToken cancellationToken)
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
            var entry = context.Counters.BeginRequest(request!, Id, requestNumber, time.GetUtcNow());
            using var answering = context.Counters.Answering();
            if (context.Ban.RegisterArrival())
            {
                return ResetFor(entry, FaultKind.BanReset);
            }

            if (staleAfter is { } idle && requestNumber > 1 && time.GetElapsedTime(lastResponseAt) > idle)
            {
                return ResetFor(entry, FaultKind.StaleReset);
            }

            var exchange = new Exchange(context, socket, stream, request!, entry);
            var outcome = context.Limits.Refusal() is { } refusal
                ? await RefuseAsync(exchange, refusal, cancellationToken)
                : await Router.RouteAsync(exchange, cancellationToken);
            if (outcome != ExchangeOutcome.KeepOpen)
            {
                return outcome;
            }

            lastResponseAt = time.GetTimestamp();
        }
    }

    /// <summary>A request the site's limits refuse: 429 with the rate limit's Retry-After, or 503 in an outage.</summary>
    private ValueTask<ExchangeOutcome> RefuseAsync(Exchange exchange, int status, CancellationToken cancellationToken) => status == 429
        ? exchange.SendHtmlAsync(429, "Too Many Requests", cancellationToken, head => head.Add("Retry-After", context.Options.RateLimit!.RetryAfterSeconds))
        : exchange.SendHtmlAsync(503, "Service Unavailable", cancellationToken);

    private ExchangeOutcome ResetFor(RequestEntry entry, FaultKind kind)
    {
        entry.Fault = kind;
        context.Counters.Fault(kind);
        SocketCloser.Reset(socket);
        return ExchangeOutcome.Gone;
    }

    private async Task SendBareAsync(Stream stream, ResponseHead head, CancellationToken cancellationToken)
    {
        var bytes = head.Add("Content-Length", 0).Build(context.Time.GetUtcNow(), keepAlive: false);
        await stream.WriteAsync(bytes, cancellationToken);
    }
}
