using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Xml;

namespace Haul.Crawling;

/// <summary>
/// Reads the <c>loc</c> entries of a sitemap (sitemaps.org protocol 0.9): a <c>urlset</c> of pages or a
/// <c>sitemapindex</c> of sitemaps, streamed, in any namespace (elements are matched by local name), gzipped or not
/// (told by its magic bytes, not by its name or headers).
/// </summary>
/// <remarks>
/// A sitemap comes from the network, so the reader refuses what could hurt: any DTD (and with it every entity
/// expansion and external entity: billion laughs, XXE), documents over <see cref="MaxCharacters"/> characters (a gzip
/// bomb stops there), and more than <see cref="MaxEntries"/> entries (the rest are ignored, as the protocol caps a
/// file there). Entries that are not absolute http(s) URLs are dropped. A document that is not XML, is refused, or is
/// corrupt gzip throws <see cref="InvalidDataException"/> when the reader reaches the fault; the entries before it have
/// been given. A well-formed document with another root (RSS, HTML) gives no entries.
/// </remarks>
internal static class SitemapReader
{
    /// <summary>The most entries read from one file (the protocol's limit).</summary>
    public const int MaxEntries = 50_000;

    /// <summary>The most characters read from one file (the protocol's 50 MiB limit on the uncompressed file).</summary>
    public const long MaxCharacters = 50L * 1024 * 1024;

    /// <summary>The entries of the sitemap in <paramref name="xml"/>, which is read but not disposed.</summary>
    public static async IAsyncEnumerable<SitemapEntry> ReadAsync(Stream xml, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var source = await OpenAsync(xml, ct);
        await using var _ = source;
        using var reader = XmlReader.Create(source, Settings());
        var position = new Position();
        var count = 0;
        while (count < MaxEntries)
        {
            var entry = await NextAsync(reader, position, ct);
            if (entry is null)
            {
                yield break;
            }

            count++;
            yield return entry;
        }
    }

    /// <summary>The stream to parse: <paramref name="xml"/> itself (its first bytes replayed), or a gzip stream over it.</summary>
    private static async Task<Stream> OpenAsync(Stream xml, CancellationToken ct)
    {
        var head = new byte[2];
        var read = await xml.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        Stream replay = new IO.PrefixedStream(head.AsMemory(0, read), xml, leaveOpen: true);
        return read == 2 && head[0] == 0x1F && head[1] == 0x8B ? new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false) : replay;
    }

    private static XmlReaderSettings Settings() => new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        MaxCharactersInDocument = MaxCharacters,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    /// <summary>The next usable entry, or null at the end of the document.</summary>
    private static async Task<SitemapEntry?> NextAsync(XmlReader reader, Position position, CancellationToken ct)
    {
        try
        {
            while (await reader.ReadAsync())
            {
                ct.ThrowIfCancellationRequested();
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.Depth)
                {
                    case 0:
                        position.Root = reader.LocalName;
                        if (position.Root is not "urlset" and not "sitemapindex")
                        {
                            return null;
                        }

                        break;
                    case 1:
                        position.Parent = reader.LocalName;
                        break;
                    case 2 when reader.LocalName == "loc" && !reader.IsEmptyElement:
                        var isIndex = position.Root == "sitemapindex";
                        if (position.Parent != (isIndex ? "sitemap" : "url"))
                        {
                            break;
                        }

                        var text = (await reader.ReadElementContentAsStringAsync()).Trim();
                        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
                            && url.Host.Length > 0)
                        {
                            return new SitemapEntry(url, isIndex);
                        }

                        break;
                }
            }

            return null;
        }
        catch (XmlException e)
        {
            throw new InvalidDataException("Not a usable sitemap: " + e.Message, e);
        }
    }

    /// <summary>Where the reader is: the root element's name and that of the current child of the root.</summary>
    private sealed class Position
    {
        public string? Root { get; set; }

        public string? Parent { get; set; }
    }
}
