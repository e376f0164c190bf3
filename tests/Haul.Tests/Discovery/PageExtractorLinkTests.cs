using Haul.Discovery;
using static Haul.Tests.Discovery.Extraction;

namespace Haul.Tests.Discovery;

public sealed class PageExtractorLinkTests
{
    [Fact]
    public async Task Links_OrdinaryAreaAndImageLinks()
    {
        var links = await LinksAsync("""
            <a href="/about.html">About</a>
            <map><area href="/map/north.html" alt="North"></map>
            <a href="/img/full/a.jpg">the original</a>
            <a href="https://other.example.org/x">elsewhere</a>
            """);

        Assert.Equal(
            [(Abs("/about.html"), LinkKind.Ordinary), (Abs("/map/north.html"), LinkKind.Ordinary), ("https://other.example.org/x", LinkKind.Ordinary)],
            links);
    }

    [Fact]
    public async Task Links_UnusableSchemesAndFragmentsAreDropped()
    {
        var links = await LinksAsync("""
            <a href="javascript:alert(1)">js</a><a href="mailto:me@example.com">mail</a><a href="tel:+123">call</a>
            <a href="#top">top</a><a href="">self</a><a href="ftp://example.com/f">ftp</a><a>no href</a>
            <a href="/page.html#section">kept</a>
            """);

        Assert.Equal([(Abs("/page.html"), LinkKind.Ordinary)], links);
    }

    [Fact]
    public async Task RelNext_OnAnchorAndOnLink()
    {
        var links = await LinksAsync("""
            <html><head><link rel="next" href="/gallery/page/3"><link rel="stylesheet" href="/site.css"></head>
            <body><a rel="nofollow next" href="/gallery/page/2">2</a><a href="/gallery/page/9">9</a></body></html>
            """);

        Assert.Equal(
            [(Abs("/gallery/page/3"), LinkKind.Next), (Abs("/gallery/page/2"), LinkKind.Next), (Abs("/gallery/page/9"), LinkKind.Ordinary)],
            links);
    }

    [Theory]
    [InlineData("Next »")]
    [InlineData("next")]
    [InlineData("  Next&nbsp;page  → ")]
    [InlineData("<span>Older</span> posts")]
    [InlineData("MORE ›")]
    [InlineData("»")]
    [InlineData("&gt;")]
    public async Task NextText_MakesANextLink(string text)
    {
        var links = await LinksAsync($"""<a href="/gallery/page/2">{text}</a>""");

        Assert.Equal([(Abs("/gallery/page/2"), LinkKind.Next)], links);
    }

    [Theory]
    [InlineData("""<a href="/p/2" aria-label="Next page"><svg></svg></a>""")]
    [InlineData("""<a href="/p/2" title="next"><i class="icon"></i></a>""")]
    public async Task NextLabel_MakesANextLink(string html)
    {
        var links = await LinksAsync(html);

        Assert.Equal([(Abs("/p/2"), LinkKind.Next)], links);
    }

    [Theory]
    [InlineData("Next chapter of the story")]
    [InlineData("« Previous")]
    [InlineData("Read more about it")]
    [InlineData("")]
    public async Task OtherText_IsOrdinary(string text)
    {
        var links = await LinksAsync($"""<a href="/p/2">{text}</a>""");

        Assert.Equal([(Abs("/p/2"), LinkKind.Ordinary)], links);
    }

    [Fact]
    public async Task NextSelector_MatchesTheLinkOrAnElementAroundIt()
    {
        var options = new ExtractionOptions { NextSelector = "a.forward, li.pager-next" };
        var links = await LinksAsync("""
            <a class="forward" href="/p/2">2</a>
            <ul><li class="pager-next"><a href="/p/3">3</a></li><li><a href="/p/4">4</a></li></ul>
            """, options);

        Assert.Equal([(Abs("/p/2"), LinkKind.Next), (Abs("/p/3"), LinkKind.Next), (Abs("/p/4"), LinkKind.Ordinary)], links);
    }

    [Fact]
    public async Task NextSelector_Invalid_IsRefused()
    {
        Assert.False(PageExtractor.IsValidSelector("a[href"));
        Assert.True(PageExtractor.IsValidSelector("nav a.next"));
        await Assert.ThrowsAsync<ArgumentException>(() => RunAsync("<a href=x>x</a>", new ExtractionOptions { NextSelector = "a[href" }));
    }

    [Fact]
    public async Task Dedup_KeepsTheStrongestKind_AtTheFirstPosition()
    {
        var links = await LinksAsync("""
            <a href="/gallery/photo/1.html">Photo one</a>
            <a href="/gallery/page/2">2</a>
            <a href="/gallery/photo/1.html"><img src="/img/thumb/1.jpg"></a>
            <a href="/gallery/page/2#top">Next</a>
            <a href="/gallery/photo/1.html">Photo one again</a>
            """);

        Assert.Equal([(Abs("/gallery/photo/1.html"), LinkKind.PhotoPage), (Abs("/gallery/page/2"), LinkKind.Next)], links);
    }

    [Fact]
    public async Task NextBeatsPhotoPage()
    {
        var links = await LinksAsync("""<a href="/p/2" rel="next"><img src="/img/thumb/next.png"></a>""");

        Assert.Equal([(Abs("/p/2"), LinkKind.Next)], links);
    }
}
