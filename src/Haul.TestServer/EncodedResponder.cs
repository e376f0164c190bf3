using System.Globalization;
using System.IO.Compression;

namespace Haul.TestServer;

/// <summary>
/// Serves <c>/encoded/{gzip|deflate|br}/files/NAME</c>: the file's bytes compressed with that content coding, under an
/// ETag of their own. A Range request is honoured on the encoded bytes, as RFC 9110 defines ranges of a
/// content-coded representation. The encoded body is built in memory for each request; no faults are injected here.
/// </summary>
internal static class EncodedResponder
{
    public const string Prefix = "encoded";

    /// <summary>True for the content codings this route serves: gzip, deflate (the zlib format) and br.</summary>
    public static bool IsCoding(string coding) => coding is "gzip" or "deflate" or "br";

    /// <summary>The encoded representation's ETag: the file's own with the coding appended inside the quotes.</summary>
    public static string ETagFor(string identityETag, string coding) => identityETag[..^1] + "-" + coding + "\"";

    /// <summary>The file's content at <paramref name="version"/>, compressed with <paramref name="coding"/>.</summary>
    public static byte[] Encode(FileEntry file, int version, string coding)
    {
        using var output = new MemoryStream();
        using (var compressor = Compressor(coding, output))
        {
            var buffer = new byte[FileEntry.BlockSize];
            var blocks = (file.Size + FileEntry.BlockSize - 1) / FileEntry.BlockSize;
            for (long block = 0; block < blocks; block++)
            {
                var span = buffer.AsSpan(0, file.BlockLength(block));
                file.FillBlock(version, block, span);
                compressor.Write(span);
            }
        }

        return output.ToArray();
    }

    public static async ValueTask<ExchangeOutcome> RespondAsync(Exchange exchange, FileEntry file, string coding, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var version = file.Version;
        var etag = ETagFor(file.ETagFor(version), coding);
        var lastModified = file.LastModifiedFor(version);
        var body = Encode(file, version, coding);

        var range = request.RawRange;
        if (range is not null && request.Header("If-Range") is { } ifRange && !FileResponder.IfRangeMatches(ifRange, etag, lastModified))
        {
            range = null;
        }

        var start = 0;
        var endExclusive = body.Length;
        var status = 200;
        if (range is { } r)
        {
            var (satisfiable, first, last) = r.Resolve(body.Length);
            if (!satisfiable)
            {
                var notSatisfiable = new ResponseHead(416)
                    .Add("Content-Range", "bytes */" + body.Length.ToString(CultureInfo.InvariantCulture))
                    .Add("Accept-Ranges", "bytes");
                return await exchange.SendTextAsync(notSatisfiable, "text/plain; charset=utf-8", "Range Not Satisfiable\n", cancellationToken);
            }

            status = 206;
            start = (int)first;
            endExclusive = (int)last + 1;
        }

        var head = new ResponseHead(status)
            .Add("Content-Type", file.ContentType)
            .Add("Content-Encoding", coding)
            .Add("Vary", "Accept-Encoding")
            .Add("Accept-Ranges", "bytes")
            .Add("ETag", etag)
            .Add("Last-Modified", HttpDate.Format(lastModified));
        if (status == 206)
        {
            head.Add("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{endExclusive - 1}/{body.Length}"));
        }

        head.Add("Content-Length", endExclusive - start);
        await exchange.SendHeadAsync(head, cancellationToken);
        if (!request.IsHead)
        {
            for (var position = start; position < endExclusive; position += FileEntry.BlockSize)
            {
                await exchange.SendBodyAsync(body.AsMemory(position, Math.Min(FileEntry.BlockSize, endExclusive - position)), cancellationToken);
            }

            if (start == 0 && endExclusive == body.Length)
            {
                exchange.Context.Counters.CompleteBody(request.Path);
            }
        }

        return exchange.KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
    }

    private static Stream Compressor(string coding, Stream output) => coding switch
    {
        "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(coding), coding, "Not a content coding this server encodes."),
    };
}
