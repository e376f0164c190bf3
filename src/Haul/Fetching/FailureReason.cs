namespace Haul.Fetching;

/// <summary>Why an attempt, or an item, failed. Each reason is either transient (worth retrying) or permanent.</summary>
public enum FailureReason
{
    /// <summary>No failure.</summary>
    None = 0,

    /// <summary>A reused keep-alive connection was reset before any response byte: the server closed it as we reused it.</summary>
    StaleConnection,

    /// <summary>The connection was reset (RST) by the peer.</summary>
    ConnectionReset,

    /// <summary>The connection was refused.</summary>
    ConnectionRefused,

    /// <summary>The host name could not be resolved.</summary>
    NameResolution,

    /// <summary>The TCP connection was not established in time.</summary>
    ConnectTimeout,

    /// <summary>The response headers did not arrive in time.</summary>
    HeadersTimeout,

    /// <summary>No body byte arrived within the stall deadline.</summary>
    BodyStall,

    /// <summary>The body arrived more slowly than the minimum speed.</summary>
    LowSpeed,

    /// <summary>The item's whole time budget ran out.</summary>
    ItemTimeout,

    /// <summary>The body ended before its announced length.</summary>
    Truncated,

    /// <summary>The TLS handshake failed: the server's certificate was rejected, or no protocol was agreed. (A reset in the middle of a handshake is <see cref="ConnectionReset"/>.)</summary>
    Tls,

    /// <summary>The server broke the HTTP protocol.</summary>
    ProtocolError,

    /// <summary>Another network error.</summary>
    NetworkError,

    /// <summary>HTTP 429 Too Many Requests.</summary>
    TooManyRequests,

    /// <summary>HTTP 503 Service Unavailable.</summary>
    ServiceUnavailable,

    /// <summary>HTTP 500, 502, 504 or another 5xx.</summary>
    ServerError,

    /// <summary>HTTP 408 Request Timeout.</summary>
    RequestTimeout,

    /// <summary>HTTP 403 Forbidden.</summary>
    Forbidden,

    /// <summary>HTTP 404.</summary>
    NotFound,

    /// <summary>HTTP 410.</summary>
    Gone,

    /// <summary>Another 4xx status.</summary>
    ClientError,

    /// <summary>An unexpected status (1xx, 3xx without a location, …).</summary>
    UnexpectedStatus,

    /// <summary>A page (HTML, JSON, text) arrived where a file such as an image was expected: a "verify you are human" page.</summary>
    SoftBlock,

    /// <summary>The body is in a content coding Haul cannot decode (it decodes gzip, deflate and br).</summary>
    UnsupportedEncoding,

    /// <summary>A 206 whose Content-Range does not continue the partial body.</summary>
    RangeMismatch,

    /// <summary>The body's SHA-256 differs from the one the input asked for.</summary>
    ChecksumMismatch,

    /// <summary>The body is larger than the configured maximum.</summary>
    TooLarge,

    /// <summary>A redirect led back to a URL already visited.</summary>
    RedirectLoop,

    /// <summary>More redirects than allowed.</summary>
    TooManyRedirects,

    /// <summary>A redirect to an unsupported scheme or a malformed location.</summary>
    BadRedirect,

    /// <summary>The file could not be written (permissions, path conflicts).</summary>
    WriteError,

    /// <summary>
    /// A symbolic link, a file where a folder belongs, or a special file (a FIFO) is in the way inside the output
    /// folder: Haul neither follows it nor writes through it.
    /// </summary>
    UnsafePath,

    /// <summary>The disk is full.</summary>
    DiskFull,

    /// <summary>An error nothing else describes.</summary>
    Unknown,

    /// <summary>A crawl's start page is not a page (an image, an archive): a crawl reads pages; <c>haul get</c> downloads files.</summary>
    NotAPage,

    /// <summary>A crawled page took longer to read than its deadline allows (a giant or pathological page).</summary>
    ParseTimeout,

    /// <summary>The body is smaller than a crawl's <c>--min-size</c>, as its headers announced: skipped, not fetched.</summary>
    TooSmall,

    /// <summary>
    /// The proxy failed, not the target host: it refused or dropped the connection, did not answer in time, refused
    /// the credentials (407, or a SOCKS authentication failure) or broke its protocol. It never pauses the target host.
    /// </summary>
    ProxyFailed,

    /// <summary>
    /// HTTP 401 Unauthorized: the server asks for credentials, and Haul had none for the origin or the ones it answered
    /// the challenge with were refused. Not retried: the same credentials would be refused again.
    /// </summary>
    Unauthorized,

    /// <summary>
    /// The item's path is longer than the file system allows (<c>ENAMETOOLONG</c>: a whole path over <c>PATH_MAX</c>,
    /// 4096 bytes on Linux). Not retried: the same URL maps to the same path.
    /// </summary>
    PathTooLong,
}
