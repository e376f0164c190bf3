using System.Globalization;
using System.Text;

namespace Haul.TestServer;

/// <summary>Builds a status line and header block.</summary>
internal sealed class ResponseHead(int status)
{
    private readonly StringBuilder _headers = new(256);

    public int Status { get; } = status;

    public ResponseHead Add(string name, string value)
    {
        _headers.Append(name).Append(": ").Append(value).Append("\r\n");
        return this;
    }

    public ResponseHead Add(string name, long value) => Add(name, value.ToString(CultureInfo.InvariantCulture));

    public byte[] Build(DateTimeOffset now, bool keepAlive)
    {
        var text = new StringBuilder(_headers.Length + 128)
            .Append("HTTP/1.1 ").Append(Status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(Status)).Append("\r\n")
            .Append("Date: ").Append(HttpDate.Format(now)).Append("\r\n")
            .Append("Server: Haul.TestServer\r\n")
            .Append(_headers)
            .Append(keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n")
            .Append("\r\n");
        return Encoding.Latin1.GetBytes(text.ToString());
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };
}
