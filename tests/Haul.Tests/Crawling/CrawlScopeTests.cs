using System.Text.RegularExpressions;
using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class CrawlScopeTests
{
    private static readonly Uri Start = new("http://127.0.0.1:5000/gallery/");

    private static CrawlScope Scope(CrawlScopeOptions? options = null, params Uri[] starts) =>
        new(starts.Length == 0 ? [Start] : starts, options ?? new CrawlScopeOptions());

    private static string? Page(CrawlScope scope, string url, int depth = 1, int barrenRun = 0) =>
        scope.CheckPage(new Uri(url), depth, barrenRun);

    [Fact]
    public void SameHostPage_IsFollowed() => Assert.Null(Page(Scope(), "http://127.0.0.1:5000/anywhere/else.html"));

    [Theory]
    [InlineData("http://127.0.0.1:5001/gallery/")]
    [InlineData("http://localhost:5000/gallery/")]
    [InlineData("http://cdn.example/offsite/page.html")]
    public void OtherHostPage_IsSkipped(string url) => Assert.Equal("other-host", Page(Scope(), url));

    [Fact]
    public void HostIdentity_IsTheHostKey()
    {
        var scope = Scope(null, new Uri("http://Example.COM:80/a/"));

        Assert.Null(Page(scope, "http://example.com/b"));
        Assert.Null(Page(scope, "HTTP://EXAMPLE.com:80/b"));
        Assert.Equal("other-host", Page(scope, "http://example.com:8080/b"));
        Assert.Equal("other-host", Page(scope, "http://www.example.com/b"));
    }

    [Fact]
    public void SpanHosts_FollowsAnyHost()
    {
        var scope = Scope(new CrawlScopeOptions { SpanHosts = true });

        Assert.Null(Page(scope, "http://cdn.example/offsite/page.html"));
    }

    [Fact]
    public void EveryStartPagesHostIsInScope()
    {
        var scope = Scope(null, Start, new Uri("https://second.example/x"));

        Assert.Null(Page(scope, "http://127.0.0.1:5000/p"));
        Assert.Null(Page(scope, "https://second.example/p"));
        Assert.Equal("other-host", Page(scope, "https://third.example/p"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/gallery/page/2", null)]
    [InlineData("http://127.0.0.1:5000/gallery/", null)]
    [InlineData("http://127.0.0.1:5000/gallery/photo/1.html", null)]
    [InlineData("http://127.0.0.1:5000/gallery", "parent-folder")]
    [InlineData("http://127.0.0.1:5000/galleryx/", "parent-folder")]
    [InlineData("http://127.0.0.1:5000/", "parent-folder")]
    [InlineData("http://127.0.0.1:5000/calendar/2020/01", "parent-folder")]
    [InlineData("http://127.0.0.1:5000/gallery/../private/a.html", "parent-folder")]
    [InlineData("http://127.0.0.1:5000/%67allery/page/2", null)]
    public void NoParent_WithTrailingSlash_StaysUnderTheFolder(string url, string? rule) =>
        Assert.Equal(rule, Page(Scope(new CrawlScopeOptions { NoParent = true }), url));

    [Theory]
    [InlineData("http://127.0.0.1:5000/gallery/page/2", null)]
    [InlineData("http://127.0.0.1:5000/calendar/2020/01", null)]
    [InlineData("http://127.0.0.1:5000/", null)]
    public void NoParent_WithoutTrailingSlash_TheFolderIsTheParent(string url, string? rule) =>
        Assert.Equal(rule, Page(Scope(new CrawlScopeOptions { NoParent = true }, new Uri("http://127.0.0.1:5000/gallery")), url));

    [Fact]
    public void NoParent_FromAFileInAFolder_KeepsToThatFolder()
    {
        var scope = Scope(new CrawlScopeOptions { NoParent = true }, new Uri("http://h/site/gallery/index.html"));

        Assert.Null(Page(scope, "http://h/site/gallery/page2.html"));
        Assert.Equal("parent-folder", Page(scope, "http://h/site/other.html"));
    }

    [Fact]
    public void NoParent_EachStartPageHasItsFolderOnItsHost()
    {
        var scope = Scope(new CrawlScopeOptions { NoParent = true }, new Uri("http://a/one/"), new Uri("http://b/two/"));

        Assert.Null(Page(scope, "http://a/one/x"));
        Assert.Null(Page(scope, "http://b/two/x"));
        Assert.Equal("parent-folder", Page(scope, "http://a/two/x"));
        Assert.Equal("parent-folder", Page(scope, "http://b/one/x"));
    }

    [Fact]
    public void Include_OnlyMatchingPagesAreFollowed()
    {
        var scope = Scope(new CrawlScopeOptions { Include = [new Regex("/gallery/page/\\d+$"), new Regex("/photo/")] });

        Assert.Null(Page(scope, "http://127.0.0.1:5000/gallery/page/2"));
        Assert.Null(Page(scope, "http://127.0.0.1:5000/gallery/photo/7.html"));
        Assert.Equal("include", Page(scope, "http://127.0.0.1:5000/calendar/2020/01"));
    }

    [Fact]
    public void Exclude_MatchingPagesAreSkipped_AfterInclude()
    {
        var scope = Scope(new CrawlScopeOptions { Include = [new Regex("/gallery/")], Exclude = [new Regex("\\?sort="), new Regex("/page/9$")] });

        Assert.Null(Page(scope, "http://127.0.0.1:5000/gallery/page/2"));
        Assert.Equal("exclude", Page(scope, "http://127.0.0.1:5000/gallery/?sort=asc"));
        Assert.Equal("exclude", Page(scope, "http://127.0.0.1:5000/gallery/page/9"));
        Assert.Equal("include", Page(scope, "http://127.0.0.1:5000/other/page/9"));
    }

    [Fact]
    public void IncludeAndExclude_SeeTheNormalForm()
    {
        var scope = Scope(new CrawlScopeOptions { Exclude = [new Regex("^http://127\\.0\\.0\\.1:5000/private/a\\.html$")] });

        Assert.Equal("exclude", Page(scope, "HTTP://127.0.0.1:5000/%70rivate/a.html#top"));
    }

    [Fact]
    public void MaxDepth_CountsFollowedLinks()
    {
        var scope = Scope(new CrawlScopeOptions { MaxDepth = 2 });

        Assert.Null(Page(scope, "http://127.0.0.1:5000/a", depth: 1));
        Assert.Null(Page(scope, "http://127.0.0.1:5000/a", depth: 2));
        Assert.Equal("max-depth", Page(scope, "http://127.0.0.1:5000/a", depth: 3));
    }

    [Fact]
    public void MaxDepthZero_StartPagesOnly()
    {
        var scope = Scope(new CrawlScopeOptions { MaxDepth = 0 });

        Assert.Null(scope.CheckPage(Start, 0, 0));
        Assert.Equal("max-depth", Page(scope, "http://127.0.0.1:5000/gallery/page/2", depth: 1));
    }

    [Fact]
    public void StartPages_AreAlwaysFollowed()
    {
        var scope = Scope(new CrawlScopeOptions { Include = [new Regex("nothing")], Exclude = [new Regex(".")], MaxDepth = 0 });

        Assert.Null(scope.CheckPage(Start, 0, 0));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/gallery/more/more/more/", "repeated-segment")]
    [InlineData("http://127.0.0.1:5000/gallery/?sort=asc&sort=asc", "query-growth")]
    public void Traps_AreSkipRules(string url, string rule) => Assert.Equal(rule, Page(Scope(), url));

    [Fact]
    public void RepeatedSegmentTrap_EndsByItself()
    {
        // /gallery/more/ links "more/" relatively, forever.
        var scope = Scope();
        var page = new Uri("http://127.0.0.1:5000/gallery/more/");
        var followed = 0;
        string? rule;
        while ((rule = scope.CheckPage(page, followed + 1, 0)) is null)
        {
            followed++;
            page = new Uri(page, "more/");
        }

        Assert.Equal("repeated-segment", rule);
        Assert.Equal(2, followed);
        Assert.Equal("http://127.0.0.1:5000/gallery/more/more/more/", page.AbsoluteUri);
    }

    [Fact]
    public void QueryTrap_EndsByItself()
    {
        var scope = Scope();
        var page = new Uri("http://127.0.0.1:5000/gallery/?sort=asc");
        var followed = 0;
        string? rule;
        while ((rule = scope.CheckPage(page, followed + 1, 0)) is null && followed < 100)
        {
            followed++;
            page = new Uri(page.AbsoluteUri + "&p" + followed + "=1");
        }

        Assert.Equal("query-growth", rule);
        Assert.Equal(16, followed);
    }

    [Fact]
    public void BarrenRun_ZeroWithAnImageSlot_ElseParentPlusOne()
    {
        Assert.Equal(0, CrawlScope.BarrenRunOf(5, hadImageSlot: true));
        Assert.Equal(6, CrawlScope.BarrenRunOf(5, hadImageSlot: false));
        Assert.Equal(1, CrawlScope.BarrenRunOf(0, hadImageSlot: false));
    }

    [Fact]
    public void LinksOfAPageWithBarrenRun8_AreNotFollowed()
    {
        var scope = Scope();

        Assert.Null(Page(scope, "http://127.0.0.1:5000/x", barrenRun: 7));
        Assert.Equal("barren-chain", Page(scope, "http://127.0.0.1:5000/x", barrenRun: 8));
    }

    [Fact]
    public void CalendarChain_StopsAtBarrenRun8()
    {
        // The gallery page has images (run 0); each month links the next and has none.
        var scope = Scope();
        var parentRun = CrawlScope.BarrenRunOf(0, hadImageSlot: true);
        var depth = 1;
        var month = new DateOnly(2020, 1, 1);
        var fetched = new List<int>();
        string? rule;
        while ((rule = Page(scope, $"http://127.0.0.1:5000/calendar/{month:yyyy}/{month:MM}", depth, parentRun)) is null)
        {
            parentRun = CrawlScope.BarrenRunOf(parentRun, hadImageSlot: false);
            fetched.Add(parentRun);
            month = month.AddMonths(1);
            depth++;
        }

        Assert.Equal("barren-chain", rule);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], fetched);
        Assert.Equal(new DateOnly(2020, 9, 1), month);
    }

    [Fact]
    public void CalendarAsStartPage_EightBarrenPagesInAll()
    {
        var start = new Uri("http://127.0.0.1:5000/calendar/2020/01");
        var scope = Scope(null, start);
        Assert.Null(scope.CheckPage(start, 0, 0));
        var run = CrawlScope.BarrenRunOf(0, hadImageSlot: false);
        var pages = 1;
        for (var month = 2; Page(scope, $"http://127.0.0.1:5000/calendar/2020/{month:00}", month - 1, run) is null; month++)
        {
            run = CrawlScope.BarrenRunOf(run, hadImageSlot: false);
            pages++;
        }

        Assert.Equal(8, pages);
    }

    [Fact]
    public void MaxPages_IsExposedForTheEngine()
    {
        Assert.Equal(25, Scope(new CrawlScopeOptions { MaxPages = 25 }).MaxPages);
        Assert.Null(Scope().MaxPages);
    }

    [Fact]
    public void BadLimits_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Scope(new CrawlScopeOptions { MaxDepth = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Scope(new CrawlScopeOptions { MaxPages = 0 }));
    }

    [Fact]
    public void Images_MayBeOnAnyHostAndAnyPath()
    {
        var scope = Scope(new CrawlScopeOptions { NoParent = true, Include = [new Regex("/gallery/")], Exclude = [new Regex("cdn")] });

        Assert.Null(scope.CheckImage(new Uri("http://cdn.example/cdn/img/full/1.jpg")));
        Assert.Null(scope.CheckImage(new Uri("http://127.0.0.1:5000/img/full/more/more/more/1.jpg")));
        Assert.Null(scope.CheckImage(new Uri("http://127.0.0.1:5000/img/a.jpg?v=1&v=2")));
    }

    [Fact]
    public void Images_TooLongUrls_AreSkipped()
    {
        var scope = Scope();

        Assert.Equal("url-too-long", scope.CheckImage(new Uri("http://cdn.example/" + new string('a', 2100) + ".jpg")));
        Assert.Equal("url-too-long", scope.CheckImage(new Uri("http://cdn.example/" + string.Concat(Enumerable.Repeat("d/", 33)) + "a.jpg")));
    }
}
