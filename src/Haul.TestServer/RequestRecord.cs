namespace Haul.TestServer;

/// <summary>One request as the server saw and answered it.</summary>
/// <param name="Path">URL path without the query.</param>
/// <param name="Method">Request method.</param>
/// <param name="RangeStart">First byte asked for; null when no range or a suffix range.</param>
/// <param name="RangeEnd">Last byte asked for; for a suffix range <c>bytes=-n</c> this is n.</param>
/// <param name="IfRange">The If-Range header, if any.</param>
/// <param name="UserAgent">The User-Agent header, if any.</param>
/// <param name="ConnectionId">Server-assigned id of the connection, starting at 1.</param>
/// <param name="RequestOnConnection">1-based index of the request on its connection.</param>
/// <param name="Status">Status sent; 0 when the connection was reset without a response.</param>
/// <param name="Fault">The fault injected, or <see cref="FaultKind.None"/>.</param>
/// <param name="BodyBytesSent">Body bytes written for this request so far.</param>
/// <param name="Headers">Every request header received, names case-insensitive; a repeated header's values joined with ", ".</param>
public sealed record RequestRecord(
    string Path,
    string Method,
    long? RangeStart,
    long? RangeEnd,
    string? IfRange,
    string? UserAgent,
    long ConnectionId,
    int RequestOnConnection,
    int Status,
    FaultKind Fault,
    long BodyBytesSent,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>When the request's head was read, by the server's clock.</summary>
    public DateTimeOffset Arrived { get; init; }

    /// <summary>The Authorization header, if any.</summary>
    public string? Authorization => Header("Authorization");

    /// <summary>The Cookie header, if any.</summary>
    public string? Cookie => Header("Cookie");

    /// <summary>The Proxy-Authorization header, if any.</summary>
    public string? ProxyAuthorization => Header("Proxy-Authorization");

    /// <summary>The Referer header, if any.</summary>
    public string? Referer => Header("Referer");

    /// <summary>The Accept-Encoding header, if any.</summary>
    public string? AcceptEncoding => Header("Accept-Encoding");

    /// <summary>The request target's query without the <c>?</c>; empty when there was none.</summary>
    public string Query { get; init; } = string.Empty;

    /// <summary>A request header by name (case-insensitive), if it was sent.</summary>
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
