namespace Haul.TestServer;

/// <summary>A parsed request head.</summary>
internal sealed class HttpRequest
{
    private readonly Dictionary<string, string> _headers;

    public HttpRequest(string method, string target, string version, Dictionary<string, string> headers)
    {
        Method = method;
        Target = target;
        Version = version;
        _headers = headers;
        Headers = headers.AsReadOnly();
        Path = PathOf(target);
        RawRange = ByteRange.Parse(Header("Range"));
    }

    public string Method { get; }

    public string Target { get; }

    public string Version { get; }

    /// <summary>Target path without query, absolute-form targets reduced to their path.</summary>
    public string Path { get; }

    public ByteRange? RawRange { get; }

    /// <summary>The target's query without the <c>?</c> (and without a fragment); empty when there is none.</summary>
    public string Query
    {
        get
        {
            var start = Target.IndexOf('?', StringComparison.Ordinal);
            if (start < 0)
            {
                return string.Empty;
            }

            var end = Target.IndexOf('#', start);
            return end < 0 ? Target[(start + 1)..] : Target[(start + 1)..end];
        }
    }

    /// <summary>Every header received, names case-insensitive; repeated headers joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public bool IsHead => Method == "HEAD";

    public bool KeepAlive
    {
        get
        {
            var connection = Header("Connection") ?? string.Empty;
            if (connection.Contains("close", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            return Version != "HTTP/1.0" || connection.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
        }
    }

    public string? Header(string name) => _headers.GetValueOrDefault(name);

    /// <summary>The first value of a query parameter, percent-decoded (<c>+</c> reads as a space); null when absent.</summary>
    public string? QueryParameter(string name)
    {
        foreach (var pair in Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            if (key == name)
            {
                return eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            }
        }

        return null;
    }

    /// <summary>Every value of a query parameter, in order, percent-decoded.</summary>
    public IReadOnlyList<string> QueryParameters(string name)
    {
        var values = new List<string>();
        foreach (var pair in Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (Decode(eq < 0 ? pair : pair[..eq]) == name)
            {
                values.Add(eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]));
            }
        }

        return values;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string PathOf(string target)
    {
        var path = target;
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var slash = path.IndexOf('/', path.IndexOf("//", StringComparison.Ordinal) + 2);
            path = slash < 0 ? "/" : path[slash..];
        }

        var cut = path.IndexOfAny(['?', '#']);
        return cut < 0 ? path : path[..cut];
    }
}
