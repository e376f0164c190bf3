using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;
using Haul.IO;

namespace Haul.Fetching;

/// <summary>
/// Undoes a response's Content-Encoding: gzip (and its alias x-gzip), deflate, br and identity, several codings
/// undone in the reverse of the order they are listed (the order they were applied).
/// </summary>
internal static class ContentDecoding
{
    /// <summary>True when the codings change nothing: none listed, or only <c>identity</c>.</summary>
    public static bool IsIdentity(IEnumerable<string> codings)
    {
        ArgumentNullException.ThrowIfNull(codings);
        return Tokens(codings).All(IsIdentityToken);
    }

    /// <summary>
    /// Wraps <paramref name="raw"/> in the decoders the codings need. On success <paramref name="decoded"/> yields the
    /// decoded bytes and owns <paramref name="raw"/> (it is <paramref name="raw"/> itself when there is nothing to undo).
    /// When a coding is not supported, returns false with its name in <paramref name="unsupported"/> and
    /// <paramref name="decoded"/> set to <paramref name="raw"/>, untouched.
    /// </summary>
    /// <param name="codings">The Content-Encoding values as <c>HttpContentHeaders.ContentEncoding</c> gives them; an entry may itself hold a comma-separated list.</param>
    /// <param name="raw">The body as received.</param>
    /// <param name="decoded">The stream to read the decoded body from.</param>
    /// <param name="unsupported">The first coding that cannot be undone, on failure.</param>
    public static bool TryCreate(IEnumerable<string> codings, Stream raw, out Stream decoded, [NotNullWhen(false)] out string? unsupported)
    {
        ArgumentNullException.ThrowIfNull(codings);
        ArgumentNullException.ThrowIfNull(raw);
        var applied = Tokens(codings).Where(t => !IsIdentityToken(t)).ToList();
        decoded = raw;
        unsupported = applied.FirstOrDefault(t => Normalize(t) is null);
        if (unsupported is not null)
        {
            return false;
        }

        var stream = raw;
        for (var i = applied.Count - 1; i >= 0; i--)
        {
            stream = Normalize(applied[i]) switch
            {
                "gzip" => new GZipStream(stream, CompressionMode.Decompress),
                "br" => new BrotliStream(stream, CompressionMode.Decompress),
                _ => new DeflateSniffingStream(stream),
            };
        }

        decoded = stream;
        return true;
    }

    private static IEnumerable<string> Tokens(IEnumerable<string> codings) =>
        codings.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsIdentityToken(string token) => token.Equals("identity", StringComparison.OrdinalIgnoreCase);

    private static string? Normalize(string token) => token.ToUpperInvariant() switch
    {
        "GZIP" or "X-GZIP" => "gzip",
        "DEFLATE" => "deflate",
        "BR" => "br",
        _ => null,
    };

    /// <summary>
    /// Decodes <c>deflate</c>, which RFC 9110 defines as the zlib format but some servers send as raw deflate: the first
    /// two bytes decide, on the first read, between <see cref="ZLibStream"/> and <see cref="DeflateStream"/>.
    /// </summary>
    private sealed class DeflateSniffingStream(Stream raw) : ReadOnlyStream
    {
        private Stream? _decoder;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_decoder is null)
            {
                var header = new byte[2];
                var length = 0;
                int read;
                while (length < header.Length && (read = raw.Read(header, length, header.Length - length)) > 0)
                {
                    length += read;
                }

                _decoder = Choose(header, length);
            }

            return _decoder.Read(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_decoder is null)
            {
                var header = new byte[2];
                var length = 0;
                int read;
                while (length < header.Length && (read = await raw.ReadAsync(header.AsMemory(length), cancellationToken)) > 0)
                {
                    length += read;
                }

                _decoder = Choose(header, length);
            }

            return await _decoder.ReadAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                (_decoder ?? raw).Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>
        /// A zlib header (RFC 1950) names method 8 with a window of at most 32 KiB, and its two bytes read as a
        /// big-endian number are a multiple of 31.
        /// </summary>
        private static bool IsZlibHeader(byte[] header, int length) =>
            length == 2 && (header[0] & 0x0F) == 8 && header[0] >> 4 <= 7 && ((header[0] << 8) | header[1]) % 31 == 0;

        private Stream Choose(byte[] header, int length)
        {
            var replayed = new PrefixedStream(header.AsMemory(0, length), raw);
            return IsZlibHeader(header, length)
                ? new ZLibStream(replayed, CompressionMode.Decompress)
                : new DeflateStream(replayed, CompressionMode.Decompress);
        }
    }
}
