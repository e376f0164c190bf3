using System.Diagnostics;
using System.Text;
using Haul.Discovery;
using static Haul.Tests.Discovery.Extraction;

namespace Haul.Tests.Discovery;

public sealed class PageExtractorInputTests
{
    [Fact]
    public async Task UrlForms_RelativeRootRelativeProtocolRelativeAndDotDot()
    {
        var images = await ImagesAsync("""
            <img src="a.jpg"><img src="/root.jpg"><img src="//cdn.example.net/cdn/x.jpg"><img src="../up.jpg">
            <img src="https://secure.example.org/s.png"><img src="./here/./b.jpg">
            """);

        Assert.Equal(
            [
                "http://example.com/gallery/a.jpg", "http://example.com/root.jpg", "http://cdn.example.net/cdn/x.jpg",
                "http://example.com/up.jpg", "https://secure.example.org/s.png", "http://example.com/gallery/here/b.jpg",
            ],
            images);
    }

    [Fact]
    public async Task BaseHref_IsResolvedAgainstThePage_AndUsedForEverything()
    {
        var result = await RunAsync("""
            <html><head><base href="../static/v2/"><base href="/ignored/"></head>
            <body><img src="a.jpg"><a href="next.html">Next</a><div style="background:url(bg.png)"></div></body></html>
            """);

        Assert.Equal(["http://example.com/static/v2/a.jpg", "http://example.com/static/v2/bg.png"], result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Equal("http://example.com/static/v2/next.html", result.Links.Single().Url.AbsoluteUri);
    }

    [Fact]
    public async Task Entities_AreDecoded()
    {
        var result = await RunAsync("""<img src="/img/full/a.jpg?w=1&amp;h=2" alt="Tom &amp; Jerry"><a href="/p?a=1&amp;b=2">x</a>""");

        Assert.Equal("http://example.com/img/full/a.jpg?w=1&h=2", result.Images.Single().Url.AbsoluteUri);
        Assert.Equal("Tom & Jerry", result.Images.Single().Alt);
        Assert.Equal("http://example.com/p?a=1&b=2", result.Links.Single().Url.AbsoluteUri);
    }

    [Fact]
    public async Task GluedAttributes_UppercaseTags_AndWhitespaceInUrls()
    {
        var result = await RunAsync("""
            <IMG SRC="/img/full/a.jpg"ALT="glued"><img src='/img/full/b.jpg'alt='b'>
            <A HREF="
                /gallery/page/2 ">NEXT</A>
            <img src="  /img/full/c
            .jpg  ">
            """);

        Assert.Equal([Abs("/img/full/a.jpg"), Abs("/img/full/b.jpg"), Abs("/img/full/c.jpg")], result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Equal("glued", result.Images[0].Alt);
        Assert.Equal((Abs("/gallery/page/2"), LinkKind.Next), (result.Links.Single().Url.AbsoluteUri, result.Links.Single().Kind));
    }

    [Fact]
    public async Task Title_IsTrimmed()
    {
        var result = await RunAsync("<html><head><title>  Gallery, page 2 </title></head></html>");

        Assert.Equal("Gallery, page 2", result.Title);
    }

    [Fact]
    public async Task EmptyDocument_GivesZeroOfEverything()
    {
        var result = await RunAsync([], "text/html");

        Assert.Empty(result.Images);
        Assert.Empty(result.Links);
        Assert.Equal(0, result.ImageSlots);
        Assert.Null(result.Title);
    }

    [Fact]
    public async Task PageWithoutImages_IsBarren()
    {
        var result = await RunAsync("""<html><body><h1>March</h1><a href="/calendar/2024/04">next month</a></body></html>""");

        Assert.Equal(0, result.ImageSlots);
        Assert.Single(result.Links);
    }

    [Fact]
    public async Task MalformedMarkup_StillYieldsItsImages_AndCountsErrors()
    {
        var result = await RunAsync("""
            <html><body><div><table><tr><td><p>unclosed <b><i>nesting</b></i>
            <a href="/img/full/broken.jpg"><img src="/img/thumb/broken.jpg" alt=x <td></a>
            </td><div><img src=/img/full/second.png </table></span></html></body><img src="/img/full/after.jpg">
            """);

        Assert.Contains(Abs("/img/full/broken.jpg"), result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Contains(Abs("/img/full/second.png"), result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Contains(Abs("/img/full/after.jpg"), result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.True(result.ParseErrors > 0);
    }

    [Fact]
    public async Task WellFormedPage_HasNoParseErrors()
    {
        var result = await RunAsync("""<!DOCTYPE html><html><head><title>t</title></head><body><img src="a.jpg" alt=""></body></html>""");

        Assert.Equal(0, result.ParseErrors);
    }

    [Fact]
    public async Task Charset_FromContentType_Windows1252()
    {
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;
        var bytes = encoding.GetBytes("<html><head><title>Café – été</title></head><body><img src=\"/img/full/caf\u00e9.jpg\" alt=\"Crème brûlée\"></body></html>");

        var result = await RunAsync(bytes, "text/html; charset=windows-1252");

        Assert.Equal("Café – été", result.Title);
        Assert.Equal("Crème brûlée", result.Images.Single().Alt);
        Assert.Equal("http://example.com/img/full/caf%C3%A9.jpg", result.Images.Single().Url.AbsoluteUri);
    }

    [Fact]
    public async Task Charset_FromContentType_ShiftJis()
    {
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding("shift_jis")!;
        var bytes = encoding.GetBytes("<title>写真ギャラリー</title><img src=\"a.jpg\" alt=\"富士山\">");

        var result = await RunAsync(bytes, "text/html; charset=Shift_JIS");

        Assert.Equal("写真ギャラリー", result.Title);
        Assert.Equal("富士山", result.Images.Single().Alt);
    }

    [Fact]
    public async Task Charset_FromMeta_WhenContentTypeHasNone()
    {
        var encoding = CodePagesEncodingProvider.Instance.GetEncoding(1252)!;
        var bytes = encoding.GetBytes("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><title>Ça va</title></head></html>");

        var result = await RunAsync(bytes, "text/html");

        Assert.Equal("Ça va", result.Title);
    }

    [Fact]
    public async Task Charset_ContentTypeBeatsAConflictingMeta()
    {
        var bytes = Encoding.UTF8.GetBytes("<html><head><meta charset=\"windows-1252\"><title>Ärger – naïve</title></head></html>");

        var result = await RunAsync(bytes, "text/html; charset=utf-8");

        Assert.Equal("Ärger – naïve", result.Title);
    }

    [Fact]
    public async Task Charset_Utf8ByDefault_AndBomWins()
    {
        var plain = await RunAsync(Encoding.UTF8.GetBytes("<title>Ärger</title>"), contentType: null);
        var bom = await RunAsync([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("<title>Ärger</title>")], "text/html; charset=windows-1252");

        Assert.Equal("Ärger", plain.Title);
        Assert.Equal("Ärger", bom.Title);
    }

    [Fact]
    public async Task CancelledToken_StopsAHugeDocument()
    {
        using var html = new EndlessPageStream(limitBytes: 256L * 1024 * 1024);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PageExtractor.ExtractAsync(html, Page, "text/html", ExtractionOptions.Default, cancellation.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.True(html.Position < html.Length, "the whole page was read");
    }

    [Fact]
    public async Task AlreadyCancelledToken_ReadsNothing()
    {
        using var html = new EndlessPageStream(limitBytes: 1024 * 1024);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PageExtractor.ExtractAsync(html, Page, "text/html", ExtractionOptions.Default, new CancellationToken(canceled: true)));
    }

    // A page of endless image rows, made as it is read.
    private sealed class EndlessPageStream(long limitBytes) : Stream
    {
        private static readonly byte[] Row = Encoding.ASCII.GetBytes("<div class=row><a href=\"/p.html\"><img src=\"/img/t.jpg\"></a><p>text</div>\n");
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => limitBytes;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, limitBytes - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = Row[(int)((_position + i) % Row.Length)];
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task A_flat_page_of_30000_links_and_images_is_read_in_linear_time()
    {
        var html = new System.Text.StringBuilder("<html><body>");
        for (var i = 0; i < 30_000; i++)
        {
            html.Append(System.Globalization.CultureInfo.InvariantCulture, $"<a href=\"/p/{i}.html\">page {i}</a><img src=\"/i/{i}.jpg\">\n");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var extraction = await Extraction.RunAsync(html.Append("</body></html>").ToString());
        clock.Stop();

        Assert.Equal(30_000, extraction.Images.Count);
        Assert.Equal(30_000, extraction.Links.Count);

        // About a second here; walking the children through a live collection made it quadratic (over 30 s).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
