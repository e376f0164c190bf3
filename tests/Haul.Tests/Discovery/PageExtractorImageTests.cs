using Haul.Discovery;
using static Haul.Tests.Discovery.Extraction;

namespace Haul.Tests.Discovery;

public sealed class PageExtractorImageTests
{
    [Fact]
    public async Task ImgSrc_IsTheImage()
    {
        var result = await RunAsync("""<html><body><img src="/img/full/a.jpg" alt="A cat" width="640" height="480"></body></html>""");

        var image = Assert.Single(result.Images);
        Assert.Equal("http://example.com/img/full/a.jpg", image.Url.AbsoluteUri);
        Assert.Equal(ImageSource.Img, image.Source);
        Assert.Equal("A cat", image.Alt);
        Assert.Equal(640, image.Width);
        Assert.Equal(480, image.Height);
        Assert.Equal(1, result.ImageSlots);
    }

    [Fact]
    public async Task AltFallsBackToTitle_AndNonIntegerSizesAreDropped()
    {
        var result = await RunAsync("""<img src="a.jpg" alt=" " title="The title" width="50%" height="12px">""");

        var image = Assert.Single(result.Images);
        Assert.Equal("The title", image.Alt);
        Assert.Null(image.Width);
        Assert.Null(image.Height);
    }

    [Fact]
    public async Task Duplicate_KeepsTheFirstNonEmptyAltAndSizes()
    {
        var result = await RunAsync("""<img src="a.jpg"><img src="a.jpg#x" alt="Second" width="10" height="20">""");

        var image = Assert.Single(result.Images);
        Assert.Equal("Second", image.Alt);
        Assert.Equal(10, image.Width);
        Assert.Equal(2, result.ImageSlots);
    }

    [Fact]
    public async Task Srcset_LargestWidthWins()
    {
        var images = await ImagesAsync("""<img src="/img/thumb/a.jpg" srcset="/img/medium/a.jpg 800w, /img/full/a.jpg 2400w, /img/thumb/a.jpg 200w">""");

        Assert.Equal([Abs("/img/full/a.jpg")], images);
    }

    [Fact]
    public async Task Srcset_WidthTie_FirstInDocumentOrderWins()
    {
        var images = await ImagesAsync("""<picture><source srcset="first.webp 1600w"><img srcset="second.jpg 1600w, small.jpg 400w"></picture>""");

        Assert.Equal([Abs("first.webp")], images);
    }

    [Fact]
    public async Task Srcset_LargestDensityWins_NoDescriptorIsOneX()
    {
        var images = await ImagesAsync("""<img src="thumb.jpg" srcset="one.jpg, three.jpg 3x, two.jpg 2x">""");

        Assert.Equal([Abs("three.jpg")], images);
    }

    [Fact]
    public async Task Srcset_WidthBeatsDensity()
    {
        var images = await ImagesAsync("""<img srcset="dense.jpg 4x, wide.jpg 100w">""");

        Assert.Equal([Abs("wide.jpg")], images);
    }

    [Fact]
    public async Task Srcset_CommasInUrls()
    {
        var images = await ImagesAsync("""<img srcset="/c/w_400,h_300/a.jpg 400w, /c/w_1600,h_1200/a.jpg 1600w">""");

        Assert.Equal([Abs("/c/w_1600,h_1200/a.jpg")], images);
    }

    [Fact]
    public async Task Picture_SourcesAreCandidates()
    {
        var result = await RunAsync("""
            <picture>
              <source media="(min-width: 800px)" srcset="/img/full/a.avif 2000w, /img/medium/a.avif 1000w" type="image/avif">
              <source srcset="/img/medium/a.webp 1000w">
              <img src="/img/thumb/a.jpg" alt="a">
            </picture>
            """);

        var image = Assert.Single(result.Images);
        Assert.Equal(Abs("/img/full/a.avif"), image.Url.AbsoluteUri);
        Assert.Equal(ImageSource.Picture, image.Source);
        Assert.Equal("a", image.Alt);
    }

    [Theory]
    [InlineData("data-src")]
    [InlineData("data-original")]
    [InlineData("data-lazy-src")]
    [InlineData("data-full")]
    [InlineData("data-large")]
    [InlineData("data-hires")]
    [InlineData("data-zoom-image")]
    [InlineData("data-download-url")]
    [InlineData("data-photo")]
    public async Task LazyAttribute_BeatsSrc(string attribute)
    {
        var result = await RunAsync($"""<img src="/static/blank.gif" {attribute}="/img/full/a.jpg">""");

        var image = Assert.Single(result.Images);
        Assert.Equal(Abs("/img/full/a.jpg"), image.Url.AbsoluteUri);
        Assert.Equal(ImageSource.Lazy, image.Source);
    }

    [Theory]
    [InlineData("data-srcset")]
    [InlineData("data-lazy-srcset")]
    public async Task LazySrcset_IsASrcset(string attribute)
    {
        var images = await ImagesAsync($"""<img src="/static/blank.gif" {attribute}="/img/medium/a.jpg 800w, /img/full/a.jpg 1600w">""");

        Assert.Equal([Abs("/img/full/a.jpg")], images);
    }

    [Fact]
    public async Task OtherDataAttribute_ThatIsNoImageUrl_IsIgnored()
    {
        var images = await ImagesAsync("""<img src="/img/full/a.jpg" data-id="1234" data-href="/gallery/photo/1.html" data-caption="sunset.jpg at dusk" data-full="true">""");

        Assert.Equal([Abs("/img/full/a.jpg")], images);
    }

    [Fact]
    public async Task LazyOrder_DownloadUrlFirst()
    {
        var images = await ImagesAsync("""<img data-src="s.jpg" data-original="o.jpg" data-large="l.jpg" data-full="f.jpg" data-hires="h.jpg" data-zoom-image="z.jpg" data-download-url="d.jpg" data-other="x.jpg">""");

        Assert.Equal([Abs("d.jpg")], images);
    }

    [Fact]
    public async Task LazyOrder_NamedAttributeBeatsOtherData()
    {
        var images = await ImagesAsync("""<img data-photo="x.jpg" data-lazy-src="lazy.jpg" data-src="s.jpg">""");

        Assert.Equal([Abs("lazy.jpg")], images);
    }

    [Fact]
    public async Task BigLazyAttribute_BeatsSrcset()
    {
        var images = await ImagesAsync("""<img srcset="m.jpg 800w, l.jpg 1600w" data-zoom-image="/img/full/z.jpg">""");

        Assert.Equal([Abs("/img/full/z.jpg")], images);
    }

    [Fact]
    public async Task SmallLazyAttribute_LosesToSrcset()
    {
        var images = await ImagesAsync("""<img data-src="s.jpg" data-srcset="m.jpg 800w, l.jpg 1600w">""");

        Assert.Equal([Abs("l.jpg")], images);
    }

    [Fact]
    public async Task DataPlaceholder_WithDataSrc_GivesTheRealImage()
    {
        var images = await ImagesAsync("""<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/full/a.jpg">""");

        Assert.Equal([Abs("/img/full/a.jpg")], images);
    }

    [Fact]
    public async Task DataUri_DroppedByDefault_KeptWithKeepDataUris()
    {
        const string html = """<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:image/gif;base64,R0lGOD" data-src="real.jpg">""";

        var byDefault = await RunAsync(html);
        var kept = await ImagesAsync(html, new ExtractionOptions { KeepDataUris = true });

        Assert.Equal([Abs("real.jpg")], byDefault.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Equal(2, byDefault.ImageSlots);
        Assert.Equal(["data:image/png;base64,iVBORw0KGgo=", Abs("real.jpg")], kept);
    }

    [Fact]
    public async Task DataPlaceholder_NeverWinsOverARealUrl_EvenInSrcset()
    {
        var images = await ImagesAsync(
            """<img src="small.jpg" srcset="data:image/gif;base64,R0lGOD 3x, real.jpg 2x">""", new ExtractionOptions { KeepDataUris = true });

        Assert.Equal([Abs("real.jpg")], images);
    }

    [Fact]
    public async Task Noscript_DuplicateIsOneImage_AndItsOwnImageIsKept()
    {
        var result = await RunAsync("""
            <img src="/static/blank.gif" data-src="/img/full/a.jpg" alt="a">
            <noscript><img src="/img/full/a.jpg" alt="a"></noscript>
            <noscript><img src="/img/full/only-here.jpg"></noscript>
            """);

        Assert.Equal([Abs("/img/full/a.jpg"), Abs("/img/full/only-here.jpg")], result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Equal(ImageSource.Lazy, result.Images[0].Source);
        Assert.Equal(ImageSource.Noscript, result.Images[1].Source);
        Assert.Equal(3, result.ImageSlots);
    }

    [Fact]
    public async Task StyleAttribute_Background()
    {
        var result = await RunAsync("""<div style="background-image: url('/img/full/bg.jpg')"></div><div style="background:url(&quot;/img/full/bg2.png&quot;) no-repeat"></div>""");

        Assert.Equal([Abs("/img/full/bg.jpg"), Abs("/img/full/bg2.png")], result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.All(result.Images, i => Assert.Equal(ImageSource.Css, i.Source));
        Assert.Equal(2, result.ImageSlots);
    }

    [Fact]
    public async Task StyleBlock_QuotedUnquotedAndSeveralUrls()
    {
        var images = await ImagesAsync("""
            <html><head><style>
              .hero { background-image: url("/img/full/hero.jpg"); }
              .tile { background: url(/img/full/tile.png) repeat, url('/img/full/overlay.webp'); }
              .icon { list-style-image: url(/img/icon.png); }
            </style></head><body></body></html>
            """);

        Assert.Equal([Abs("/img/full/hero.jpg"), Abs("/img/full/tile.png"), Abs("/img/full/overlay.webp")], images);
    }

    [Fact]
    public async Task OpenGraphAndTwitterImages()
    {
        var result = await RunAsync("""
            <head>
              <meta property="og:image" content="https://cdn.example.net/og.jpg">
              <meta name="twitter:image" content="/img/full/tw.jpg">
              <meta name="twitter:image:src" content="/img/full/tw-src.jpg">
              <meta property="og:title" content="/not/an/image.jpg">
            </head>
            """);

        Assert.Equal(["https://cdn.example.net/og.jpg", Abs("/img/full/tw.jpg"), Abs("/img/full/tw-src.jpg")], result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.All(result.Images, i => Assert.Equal(ImageSource.Meta, i.Source));
        Assert.Equal(3, result.ImageSlots);
    }

    [Fact]
    public async Task LinkToImageAroundThumbnail_KeepsOnlyTheOriginal()
    {
        var result = await RunAsync("""<a href="/img/full/a.jpg"><img src="/img/thumb/a.jpg" srcset="/img/medium/a.jpg 800w" alt="a" width="200"></a>""");

        var image = Assert.Single(result.Images);
        Assert.Equal(Abs("/img/full/a.jpg"), image.Url.AbsoluteUri);
        Assert.Equal(ImageSource.Link, image.Source);
        Assert.Equal("a", image.Alt);
        Assert.Null(image.Width);
        Assert.Empty(result.Links);
    }

    [Fact]
    public async Task LinkToPhotoPageAroundThumbnail_GivesAPhotoPageLinkAndNoImage()
    {
        var result = await RunAsync("""<a href="/gallery/photo/7.html"><img src="/img/thumb/7.jpg"></a>""");

        Assert.Empty(result.Images);
        Assert.Equal(1, result.ImageSlots);
        var link = Assert.Single(result.Links);
        Assert.Equal((Abs("/gallery/photo/7.html"), LinkKind.PhotoPage), (link.Url.AbsoluteUri, link.Kind));
    }

    [Fact]
    public async Task UnusableLinkAroundImage_IsNoLink()
    {
        var images = await ImagesAsync("""<a href="javascript:void(0)"><img src="/img/full/a.jpg"></a><a href="#top"><img src="/img/full/b.jpg"></a>""");

        Assert.Equal([Abs("/img/full/a.jpg"), Abs("/img/full/b.jpg")], images);
    }

    [Fact]
    public async Task AllSizes_KeepsEveryCandidate_AndStillReportsThePhotoPage()
    {
        var options = new ExtractionOptions { AllSizes = true };
        var result = await RunAsync("""
            <a href="/img/full/a.jpg"><img src="/img/thumb/a.jpg" srcset="/img/medium/a.jpg 800w"></a>
            <picture><source srcset="/img/medium/b.webp 800w"><img src="/img/thumb/b.jpg" data-src="/img/full/b.jpg"></picture>
            <a href="/gallery/photo/c.html"><img src="/img/thumb/c.jpg"></a>
            """, options);

        Assert.Equal(
            [
                Abs("/img/full/a.jpg"), Abs("/img/thumb/a.jpg"), Abs("/img/medium/a.jpg"),
                Abs("/img/medium/b.webp"), Abs("/img/thumb/b.jpg"), Abs("/img/full/b.jpg"),
                Abs("/img/thumb/c.jpg"),
            ],
            result.Images.Select(i => i.Url.AbsoluteUri));
        Assert.Equal((Abs("/gallery/photo/c.html"), LinkKind.PhotoPage), (result.Links.Single().Url.AbsoluteUri, result.Links.Single().Kind));
    }

    [Fact]
    public async Task Dedup_ByAbsoluteUrlWithoutFragment_InDocumentOrder()
    {
        var images = await ImagesAsync("""
            <img src="b.jpg"><img src="/gallery/a.jpg"><img src="http://EXAMPLE.com:80/gallery/b.jpg#x"><img src="a.jpg">
            <div style="background-image:url(b.jpg)"></div><meta property="og:image" content="a.jpg">
            """);

        Assert.Equal([Abs("b.jpg"), Abs("a.jpg")], images);
    }
}
