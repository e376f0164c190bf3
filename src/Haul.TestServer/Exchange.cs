using System.Net.Sockets;
using System.Text;

namespace Haul.TestServer;

/// <summary>One request/response on a connection: writes the response and counts what was sent.</summary>
internal sealed class Exchange(ServerContext context, Socket socket, Stream stream, HttpRequest request, RequestEntry entry)
{
    private bool _closeAfterResponse;

    public ServerContext Context { get; } = context;

    public HttpRequest Request { get; } = request;

    public RequestEntry Entry { get; } = entry;

    public Socket Socket { get; } = socket;

    /// <summary>True when the client asked for keep-alive and the response does not end the connection.</summary>
    public bool KeepAlive => Request.KeepAlive && !_closeAfterResponse;

    /// <summary>Makes this the last response on the connection: it says <c>Connection: close</c> and the connection ends after it.</summary>
    public void CloseAfterResponse() => _closeAfterResponse = true;

    public async ValueTask SendHeadAsync(ResponseHead head, CancellationToken cancellationToken)
    {
        Entry.Status = head.Status;
        var bytes = head.Build(Context.Time.GetUtcNow(), KeepAlive);
        await stream.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>Writes body bytes and counts them; chunk framing goes through <see cref="SendFramingAsync"/> and is not counted.</summary>
    public async ValueTask SendBodyAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(body, cancellationToken);
        Context.Counters.AddBodyBytes(Entry, body.Length);
    }

    public ValueTask SendFramingAsync(ReadOnlyMemory<byte> framing, CancellationToken cancellationToken) =>
        stream.WriteAsync(framing, cancellationToken);

    /// <summary>Sends a complete small response with a text body (headers only for HEAD).</summary>
    public async ValueTask<ExchangeOutcome> SendTextAsync(ResponseHead head, string contentType, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        head.Add("Content-Type", contentType).Add("Content-Length", bytes.Length);
        await SendHeadAsync(head, cancellationToken);
        if (!Request.IsHead)
        {
            await SendBodyAsync(bytes, cancellationToken);
        }

        return KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
    }

    public ValueTask<ExchangeOutcome> SendHtmlAsync(int status, string title, CancellationToken cancellationToken, Action<ResponseHead>? headers = null)
    {
        var head = new ResponseHead(status);
        headers?.Invoke(head);
        var body = $"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n";
        return SendTextAsync(head, "text/html; charset=utf-8", body, cancellationToken);
    }
}
