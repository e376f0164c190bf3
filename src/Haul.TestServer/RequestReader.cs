using System.Buffers;
using System.Text;

namespace Haul.TestServer;

/// <summary>Reads request heads from a connection, keeping pipelined bytes for the next call.</summary>
internal sealed class RequestReader(Stream stream) : IDisposable
{
    public const int MaxHeaderBytes = 16 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(MaxHeaderBytes);
    private int _start;
    private int _end;

    public async ValueTask<(ReadStatus Status, HttpRequest? Request)> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            SkipLeadingLineBreaks();
            var headEnd = FindHeadEnd(_buffer.AsSpan(_start, _end - _start), out var terminatorLength);
            if (headEnd >= 0)
            {
                var head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
                _start += headEnd + terminatorLength;
                var request = Parse(head);
                return request is null ? (ReadStatus.Malformed, null) : (ReadStatus.Request, request);
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end >= MaxHeaderBytes)
            {
                return (ReadStatus.TooLarge, null);
            }

            var read = await stream.ReadAsync(_buffer.AsMemory(_end, MaxHeaderBytes - _end), cancellationToken);
            if (read == 0)
            {
                return (ReadStatus.EndOfStream, null);
            }

            _end += read;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private void SkipLeadingLineBreaks()
    {
        // RFC 9112 asks servers to ignore empty lines before a request line.
        while (_start < _end && _buffer[_start] is (byte)'\r' or (byte)'\n')
        {
            _start++;
        }
    }

    private static int FindHeadEnd(ReadOnlySpan<byte> data, out int terminatorLength)
    {
        var crlf = data.IndexOf("\r\n\r\n"u8);
        var lf = data.IndexOf("\n\n"u8);
        if (crlf >= 0 && (lf < 0 || crlf < lf))
        {
            terminatorLength = 4;
            return crlf;
        }

        terminatorLength = 2;
        return lf;
    }

    private static HttpRequest? Parse(string head)
    {
        var lines = head.Split('\n');
        var requestLine = lines[0].TrimEnd('\r').Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return null;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
        }

        return new HttpRequest(requestLine[0], requestLine[1], requestLine[2], headers);
    }
}
