namespace Haul.TestServer;

/// <summary>A fault the server can inject into a request or connection.</summary>
public enum FaultKind
{
    /// <summary>Served cleanly.</summary>
    None,

    /// <summary>A request on an idle reused connection answered with a TCP reset (connection-level).</summary>
    StaleReset,

    /// <summary>A connection or request reset while the client is banned for exceeding the rate limit.</summary>
    BanReset,

    /// <summary>Headers and part of the body, then a TCP reset.</summary>
    ResetMidBody,

    /// <summary>Headers and part of the body, then a clean close before Content-Length is reached.</summary>
    Truncate,

    /// <summary>Headers and part of the body, then silence with the socket held open.</summary>
    Stall,

    /// <summary>The whole body, throttled to the configured drip rate.</summary>
    SlowDrip,

    /// <summary>429 with Retry-After in seconds.</summary>
    TooManyRequestsSeconds,

    /// <summary>429 with Retry-After as an HTTP-date.</summary>
    TooManyRequestsDate,

    /// <summary>503 with Retry-After in seconds.</summary>
    ServiceUnavailable,

    /// <summary>500 with a small body.</summary>
    InternalServerError,

    /// <summary>502 with a small body.</summary>
    BadGateway,

    /// <summary>504 with a small body.</summary>
    GatewayTimeout,

    /// <summary>200 text/html "verify you are human" page instead of the file.</summary>
    SoftBlock,

    /// <summary>Correct bytes with Content-Type text/plain.</summary>
    WrongContentType,

    /// <summary>Correct bytes with Transfer-Encoding chunked and no Content-Length.</summary>
    Chunked,

    /// <summary>A Range request answered with the full 200 body.</summary>
    RangeIgnored,

    /// <summary>The file's version is bumped before serving, changing content, ETag and Last-Modified.</summary>
    ETagChanged,

    /// <summary>Two Content-Length headers, the true body length then that plus one, the true body, then close (scripts only).</summary>
    DuplicateContentLength,

    /// <summary><c>Content-Length: -5</c>, then the whole body and close (scripts only).</summary>
    NegativeContentLength,

    /// <summary><c>Content-Encoding: zstd</c> on the unencoded bytes (scripts only).</summary>
    ContentEncodingUnknown,

    /// <summary>A TLS connection reset (RST) once the ClientHello is read, before the server answers it (connection-level).</summary>
    HandshakeReset,

    /// <summary>Headers and part of the body, then silence for the stall duration, then the rest of the body (scripts only).</summary>
    Pause,

    /// <summary>The response headers only after the stall duration, then the response served cleanly (scripts only).</summary>
    SlowHead,
}
