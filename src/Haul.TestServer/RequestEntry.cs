namespace Haul.TestServer;

/// <summary>The mutable log entry behind a <see cref="RequestRecord"/>, filled in as the response progresses.</summary>
internal sealed class RequestEntry(HttpRequest request, long connectionId, int requestOnConnection, DateTimeOffset arrived)
{
    private long _bodyBytes;
    private volatile int _status;
    private volatile FaultKind _fault;

    public string Path => request.Path;

    public int Status
    {
        get => _status;
        set => _status = value;
    }

    public FaultKind Fault
    {
        get => _fault;
        set => _fault = value;
    }

    public void AddBodyBytes(long count) => Interlocked.Add(ref _bodyBytes, count);

    public RequestRecord ToRecord()
    {
        var range = request.RawRange;
        return new RequestRecord(
            request.Path,
            request.Method,
            range?.Start,
            range?.End,
            request.Header("If-Range"),
            request.Header("User-Agent"),
            connectionId,
            requestOnConnection,
            Status,
            Fault,
            Interlocked.Read(ref _bodyBytes),
            request.Headers)
        {
            Query = request.Query,
            Arrived = arrived,
        };
    }
}
