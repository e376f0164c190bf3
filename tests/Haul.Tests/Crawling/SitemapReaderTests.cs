using System.IO.Compression;
using System.Text;
using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class SitemapReaderTests
{
    private const string Ns = "http://www.sitemaps.org/schemas/sitemap/0.9";

    private static async Task<List<SitemapEntry>> ReadAll(Stream stream, CancellationToken ct = default)
    {
        var entries = new List<SitemapEntry>();
        await foreach (var entry in SitemapReader.ReadAsync(stream, ct))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static Task<List<SitemapEntry>> ReadAll(string xml) => ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(xml)));

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static string UrlSet(params string[] locs) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{Ns}">"""
        + string.Concat(locs.Select(l => $"<url><loc>{l}</loc><lastmod>2024-01-01</lastmod></url>\n"))
        + "</urlset>";

    [Fact]
    public async Task UrlSet_GivesPagesInOrder()
    {
        var entries = await ReadAll(UrlSet("http://h/a", "https://h/b?x=1&amp;y=2", "  http://h/c  "));

        Assert.Equal(
            [new SitemapEntry(new Uri("http://h/a"), false), new SitemapEntry(new Uri("https://h/b?x=1&y=2"), false), new SitemapEntry(new Uri("http://h/c"), false)],
            entries);
    }

    [Fact]
    public async Task SitemapIndex_GivesSitemaps()
    {
        var xml = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="{Ns}">
              <sitemap><loc>http://h/sitemap1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
              <sitemap>
                <lastmod>2024-01-02</lastmod>
                <loc>http://h/sitemap2.xml</loc>
              </sitemap>
            </sitemapindex>
            """;

        var entries = await ReadAll(xml);

        Assert.Equal([new SitemapEntry(new Uri("http://h/sitemap1.xml.gz"), true), new SitemapEntry(new Uri("http://h/sitemap2.xml"), true)], entries);
    }

    [Theory]
    [InlineData("<urlset><url><loc>http://h/a</loc></url></urlset>")]
    [InlineData("<s:urlset xmlns:s=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><s:url><s:loc>http://h/a</s:loc></s:url></s:urlset>")]
    [InlineData("<urlset xmlns=\"http://www.google.com/schemas/sitemap/0.84\"><url><loc>http://h/a</loc></url></urlset>")]
    [InlineData("\uFEFF<?xml version=\"1.0\"?>\r\n<!-- generator --><urlset><url><loc><![CDATA[http://h/a]]></loc></url></urlset>")]
    public async Task AnyNamespaceOrNone(string xml) =>
        Assert.Equal([new SitemapEntry(new Uri("http://h/a"), false)], await ReadAll(xml));

    [Fact]
    public async Task OnlyLocOfUrlCounts_NotImageOrVideoExtensions()
    {
        var xml = """
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
              <url><loc>http://h/page</loc><image:image><image:loc>http://h/photo.jpg</image:loc></image:image></url>
              <loc>http://h/stray</loc>
              <other><loc>http://h/other</loc></other>
              <sitemap><loc>http://h/wrong-kind.xml</loc></sitemap>
            </urlset>
            """;

        Assert.Equal([new SitemapEntry(new Uri("http://h/page"), false)], await ReadAll(xml));
    }

    [Fact]
    public async Task EntriesThatAreNotAbsoluteHttpUrls_AreDropped()
    {
        var entries = await ReadAll(UrlSet("ftp://h/a", "/relative", "javascript:alert(1)", "", "mailto:a@h", "file:///etc/passwd", "not a url", "https://h/kept"));

        Assert.Equal([new SitemapEntry(new Uri("https://h/kept"), false)], entries);
    }

    [Fact]
    public async Task OtherRoot_GivesNothing()
    {
        Assert.Empty(await ReadAll("<rss><channel><item><loc>http://h/a</loc></item></channel></rss>"));
        Assert.Empty(await ReadAll("<html><body>Not found</body>"));
    }

    [Fact]
    public async Task Gzip_IsToldByMagicBytes_EvenFromATrickle()
    {
        var xml = UrlSet("http://h/a", "http://h/b");

        var plain = await ReadAll(new TrickleStream(Encoding.UTF8.GetBytes(xml)));
        var zipped = await ReadAll(new TrickleStream(Gzip(xml)));

        Assert.Equal(2, plain.Count);
        Assert.Equal(plain, zipped);
    }

    [Fact]
    public async Task CorruptGzip_IsInvalidData()
    {
        var bytes = Gzip(UrlSet("http://h/a"));
        bytes[10] ^= 0xFF;
        bytes[11] ^= 0xFF;

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(new MemoryStream(bytes)));
    }

    [Fact]
    public async Task TheCallersStreamIsNotDisposed()
    {
        var stream = new MemoryStream(Gzip(UrlSet("http://h/a")));

        await ReadAll(stream);

        Assert.True(stream.CanRead);
    }

    [Fact]
    public async Task BillionLaughs_IsRefused()
    {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE urlset [
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <urlset><url><loc>http://h/&lol9;</loc></url></urlset>
            """;

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(xml));
        Assert.IsType<System.Xml.XmlException>(error.InnerException);
    }

    [Fact]
    public async Task ExternalEntity_IsRefused_AndNeverRead()
    {
        using var temp = new TempFolder();
        var secret = Path.Combine(temp.Path, "secret.txt");
        await File.WriteAllTextAsync(secret, "http://h/leaked");
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE urlset [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
            <urlset><url><loc>&xxe;</loc></url></urlset>
            """;

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(xml));
    }

    [Fact]
    public async Task AnyDoctype_IsRefused() =>
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll("<!DOCTYPE urlset><urlset><url><loc>http://h/a</loc></url></urlset>"));

    [Theory]
    [InlineData("")]
    [InlineData("<<<not xml")]
    [InlineData("<urlset><url><loc>http://h/a</loc></url>")]
    [InlineData("http://h/a\nhttp://h/b\n")]
    public async Task NotXml_IsInvalidData(string text) =>
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAll(text));

    [Fact]
    public async Task Truncated_GivesTheEntriesBeforeTheFault()
    {
        var xml = UrlSet("http://h/a", "http://h/b");
        var entries = new List<SitemapEntry>();

        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var entry in SitemapReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml[..(xml.IndexOf("http://h/b", StringComparison.Ordinal) + 5)])), CancellationToken.None))
            {
                entries.Add(entry);
            }
        });

        Assert.Equal([new Uri("http://h/a")], entries.Select(e => e.Url));
    }

    [Fact]
    public async Task AtMost50000Entries()
    {
        var xml = UrlSet([.. Enumerable.Range(0, SitemapReader.MaxEntries + 10).Select(i => $"http://h/p{i}")]);

        var entries = await ReadAll(new MemoryStream(Gzip(xml)));

        Assert.Equal(50_000, entries.Count);
        Assert.Equal(new Uri("http://h/p49999"), entries[^1].Url);
    }

    [Fact]
    public async Task DroppedEntriesDoNotCountAgainstTheCap()
    {
        var locs = Enumerable.Range(0, 100).Select(i => "ftp://h/x").Concat(Enumerable.Range(0, SitemapReader.MaxEntries).Select(i => $"http://h/p{i}"));

        var entries = await ReadAll(UrlSet([.. locs]));

        Assert.Equal(SitemapReader.MaxEntries, entries.Count);
    }

    [Fact]
    public async Task GzipBomb_StopsAtTheCharacterCap()
    {
        // 60 MiB of comment compress to a few dozen KiB; the reader gives up at 50 MiB of characters.
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes("<urlset><url><loc>http://h/first</loc></url><!--"));
            var filler = new byte[1024 * 1024];
            filler.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 60; i++)
            {
                gzip.Write(filler);
            }

            gzip.Write(Encoding.UTF8.GetBytes("--><url><loc>http://h/after</loc></url></urlset>"));
        }

        Assert.True(output.Length < 1024 * 1024);
        output.Position = 0;
        var entries = new List<SitemapEntry>();
        await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var entry in SitemapReader.ReadAsync(output, CancellationToken.None))
            {
                entries.Add(entry);
            }
        });

        Assert.Equal([new Uri("http://h/first")], entries.Select(e => e.Url));
    }

    [Fact]
    public async Task Cancellation_StopsReading()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(UrlSet("http://h/a"))), cts.Token));
    }

    /// <summary>A non-seekable stream that gives one byte a read.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == bytes.Length || count == 0)
            {
                return 0;
            }

            buffer[offset] = bytes[_position++];
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
