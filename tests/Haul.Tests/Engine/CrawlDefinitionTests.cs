using Haul.Crawling;
using Haul.Engine;

namespace Haul.Tests.Engine;

/// <summary>The text a shared job keeps a crawl's options in: every option survives it, and a difference is named.</summary>
public sealed class CrawlDefinitionTests
{
    private static readonly CrawlOptions Everything = new()
    {
        AllSizes = true,
        KeepDataUris = true,
        NextSelector = "a.next[rel=\"next\"]",
        NoParent = true,
        SpanHosts = true,
        Include = ["/gallery/", "ü\\d+"],
        Exclude = ["\\?sort="],
        MaxDepth = 3,
        MaxPages = 200,
        IgnoreRobots = true,
        Referer = RefererMode.Origin,
        Extensions = ["jpg", "png"],
        MinBytes = 50_000,
        MaxBytes = 9_000_000_000,
        MinWidth = 640,
        MinHeight = 480,
        ByPage = true,
        SavePages = true,
        MaxPageBytes = 1234567,
        ParseTimeout = TimeSpan.FromMilliseconds(2500),
        Sitemap = true,
    };

    [Fact]
    public void Every_option_is_read_back_as_it_was_written()
    {
        var read = CrawlDefinition.Read(CrawlDefinition.Write(Everything));

        Assert.Equal(CrawlDefinition.Write(Everything), CrawlDefinition.Write(read));
        Assert.Equal(Everything.Include, read.Include);
        Assert.Equal(Everything.MaxBytes, read.MaxBytes);
        Assert.Equal(Everything.ParseTimeout, read.ParseTimeout);
        Assert.Equal(Everything.Referer, read.Referer);
        Assert.Equal(Everything.NextSelector, read.NextSelector);

        var defaults = CrawlDefinition.Read(CrawlDefinition.Write(new CrawlOptions()));
        Assert.Null(defaults.MaxPages);
        Assert.Null(defaults.NextSelector);
        Assert.Empty(defaults.Include);
        Assert.Equal(new CrawlOptions().MaxPageBytes, defaults.MaxPageBytes);
    }

    [Fact]
    public void Listing_only_is_not_part_of_a_crawl_and_a_difference_is_named_with_both_values()
    {
        Assert.Equal(CrawlDefinition.Write(Everything), CrawlDefinition.Write(Everything with { ListOnly = true }));
        Assert.Empty(CrawlDefinition.Differences(CrawlDefinition.Write(Everything), CrawlDefinition.Write(Everything)));

        var differences = CrawlDefinition.Differences(
            CrawlDefinition.Write(Everything), CrawlDefinition.Write(Everything with { MaxPages = null, Extensions = ["gif"] }));
        Assert.Equal(["--max-pages 200 (here none)", "--accept jpg,png (here gif)"], differences);
    }

    [Fact]
    public void Lists_in_another_order_or_with_repeats_are_the_same_crawl()
    {
        var first = CrawlDefinition.Write(Everything with { Extensions = ["jpg", "png"], Include = ["/a/", "/b/"] });
        var again = CrawlDefinition.Write(Everything with { Extensions = ["png", "jpg", "png"], Include = ["/b/", "/a/"] });
        Assert.Empty(CrawlDefinition.Differences(first, again));
        Assert.Equal(["--include /a/,/b/ (here /a/)"], CrawlDefinition.Differences(first, CrawlDefinition.Write(Everything with { Extensions = ["jpg", "png"], Include = ["/a/"] })));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"all-sizes\": true}")]
    [InlineData("{\"all-sizes\": 1}")]
    public void A_text_that_is_not_a_definition_is_an_invalid_data_error(string text) =>
        Assert.Throws<InvalidDataException>(() => CrawlDefinition.Read(text));

    [Fact]
    public void A_definition_with_invalid_options_is_refused_as_the_options_are()
    {
        var text = CrawlDefinition.Write(Everything).Replace("\"max-pages\":200", "\"max-pages\":0", StringComparison.Ordinal);
        var exception = Assert.Throws<InvalidDataException>(() => CrawlDefinition.Read(text));
        Assert.Contains("MaxPages", exception.Message, StringComparison.Ordinal);
    }
}
