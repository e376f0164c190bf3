using System.Text;
using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class RobotsTxtTests
{
    private static bool Allowed(string robots, string path, string agent = "haul") =>
        RobotsTxt.Parse(robots).For(agent).IsAllowed(new Uri("http://example.com" + path));

    // RFC 9309 section 5.1.
    private const string Rfc9309Example = """
        User-Agent: *
        Disallow: *.gif$
        Disallow: /example/
        Allow: /publications/

        User-Agent: foobot
        Disallow:/
        Allow:/example/page.html
        Allow:/example/allowed.gif

        User-Agent: barbot
        User-Agent: bazbot
        Disallow: /example/page.html

        User-Agent: quxbot

        EOF
        """;

    [Theory]
    [InlineData("foobot", "/example/page.html", true)]
    [InlineData("foobot", "/example/allowed.gif", true)]
    [InlineData("foobot", "/example/other.html", false)]
    [InlineData("foobot", "/", false)]
    [InlineData("barbot", "/example/page.html", false)]
    [InlineData("bazbot", "/example/page.html", false)]
    [InlineData("bazbot", "/example/other.html", true)]
    [InlineData("bazbot", "/a.gif", true)]
    [InlineData("quxbot", "/example/page.html", true)]
    [InlineData("quxbot", "/a.gif", true)]
    [InlineData("haul", "/a.gif", false)]
    [InlineData("haul", "/a.gif?x", true)]
    [InlineData("haul", "/example/x", false)]
    [InlineData("haul", "/publications/x", true)]
    [InlineData("haul", "/other", true)]
    public void Rfc9309Example_EachAgentGetsItsGroup(string agent, string path, bool allowed) =>
        Assert.Equal(allowed, Allowed(Rfc9309Example, path, agent));

    [Theory]
    [InlineData("/example/page/", true)]
    [InlineData("/example/page/disallowed.gif", false)]
    [InlineData("/example/page/other.gif", true)]
    public void LongestMatchWins(string path, bool allowed) =>
        Assert.Equal(allowed, Allowed("User-Agent: *\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n", path));

    [Fact]
    public void LongestMatch_DoesNotDependOnOrder()
    {
        Assert.False(Allowed("User-agent: *\nDisallow: /a/b\nAllow: /a\n", "/a/b/c"));
        Assert.False(Allowed("User-agent: *\nAllow: /a\nDisallow: /a/b\n", "/a/b/c"));
        Assert.True(Allowed("User-agent: *\nAllow: /a\nDisallow: /a/b\n", "/a/c"));
    }

    [Theory]
    [InlineData("Allow: /folder\nDisallow: /folder\n", "/folder/page")]
    [InlineData("Disallow: /folder\nAllow: /folder\n", "/folder/page")]
    [InlineData("Disallow: /abc\nAllow: /a*c\n", "/abc")]
    [InlineData("Allow: /$\nDisallow: /\n", "/")]
    public void AllowWinsATie(string rules, string path) => Assert.True(Allowed("User-agent: *\n" + rules, path));

    [Fact]
    public void LongerDisallowBeatsShorterAllow_WildcardsCountAsOctets()
    {
        // "/*.htm" (6 octets) is longer than "/page" (5).
        Assert.False(Allowed("User-agent: *\nAllow: /page\nDisallow: /*.htm\n", "/page.htm"));
        Assert.False(Allowed("User-agent: *\nAllow: /$\nDisallow: /\n", "/page.htm"));
    }

    [Theory]
    [InlineData("/index.php", false)]
    [InlineData("/folder/index.php", false)]
    [InlineData("/index.php?x=1", true)]
    [InlineData("/index.php5", true)]
    [InlineData("/index.PHP", true)]
    public void DollarAnchorsTheEnd(string path, bool allowed) =>
        Assert.Equal(allowed, Allowed("User-agent: *\nDisallow: /*.php$\n", path));

    [Theory]
    [InlineData("/fish", false)]
    [InlineData("/fish.html", false)]
    [InlineData("/fishheads/yummy.html", false)]
    [InlineData("/Fish.asp", true)]
    [InlineData("/catfish", true)]
    [InlineData("/a/b/c.jpg?size=big", false)]
    [InlineData("/gallery?sort=asc", false)]
    [InlineData("/gallery", true)]
    public void StarMatchesAnyRun(string path, bool allowed) =>
        Assert.Equal(allowed, Allowed("User-agent: *\nDisallow: /fish*\nDisallow: /*/c.*?*big\nDisallow: /*?sort=\n", path));

    [Fact]
    public void MiddleDollarIsLiteral() =>
        Assert.False(Allowed("User-agent: *\nDisallow: /a$b\n", "/a$b/c"));

    [Theory]
    [InlineData("Disallow: /a%2fb", "/a%2Fb")]
    [InlineData("Disallow: /a%2Fb", "/a%2fb")]
    [InlineData("Disallow: /foo/bar/%62%61%7A", "/foo/bar/baz")]
    [InlineData("Disallow: /foo/bar/baz", "/foo/bar/%62%61%7A")]
    [InlineData("Disallow: /foo/bar/ツ", "/foo/bar/%E3%83%84")]
    [InlineData("Disallow: /foo/bar/%E3%83%84", "/foo/bar/ツ")]
    [InlineData("Disallow: /foo/bar/%e3%83%84", "/foo/bar/ツ")]
    [InlineData("Disallow: /path/file-with-a-%2A.html", "/path/file-with-a-*.html")]
    [InlineData("Disallow: /path/foo-%24", "/path/foo-$")]
    [InlineData("Disallow: /a b", "/a%20b")]
    public void PercentEncodingIsComparedCanonically(string rule, string path) =>
        Assert.False(Allowed("User-agent: *\n" + rule + "\n", path));

    [Theory]
    [InlineData("Disallow: /path/file-with-a-%2A.html", "/path/file-with-a-x.html")]
    [InlineData("Disallow: /path/foo-%24", "/path/foo-")]
    [InlineData("Disallow: /a%2Fb", "/a/b")]
    public void EncodedSpecialCharactersAreLiteral(string rule, string path) =>
        Assert.True(Allowed("User-agent: *\n" + rule + "\n", path));

    [Fact]
    public void GroupsOfOneAgentAreMerged()
    {
        var robots = "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\nuser-agent: otherbot\ndisallow: /other\n\nuser-agent: examplebot\ndisallow: /baz\n";

        Assert.False(Allowed(robots, "/foo", "examplebot"));
        Assert.False(Allowed(robots, "/bar", "examplebot"));
        Assert.False(Allowed(robots, "/baz", "examplebot"));
        Assert.True(Allowed(robots, "/other", "examplebot"));
    }

    [Fact]
    public void StarGroupsAreMergedToo()
    {
        var robots = "User-agent: *\nDisallow: /a\n\nUser-agent: x\nDisallow: /x\n\nUser-agent: *\nDisallow: /b\n";

        Assert.False(Allowed(robots, "/a"));
        Assert.False(Allowed(robots, "/b"));
        Assert.True(Allowed(robots, "/x"));
    }

    [Theory]
    [InlineData("User-agent: HAUL")]
    [InlineData("User-agent: Haul")]
    [InlineData("User-agent: haul/1.0 (+https://example.org/bot)")]
    [InlineData("USER-AGENT: hAuL")]
    public void ProductTokenMatchesCaseInsensitively(string agentLine) =>
        Assert.False(Allowed("User-agent: *\nAllow: /\n\n" + agentLine + "\nDisallow: /\n", "/x"));

    [Fact]
    public void OwnGroupReplacesStarGroup()
    {
        var robots = "User-agent: *\nDisallow: /\n\nUser-agent: haul\nDisallow: /private/\n";

        Assert.True(Allowed(robots, "/gallery/"));
        Assert.False(Allowed(robots, "/private/a"));
        Assert.False(Allowed(robots, "/gallery/", "otherbot"));
    }

    [Theory]
    [InlineData("User-agent: haulbot\nDisallow: /\n")]
    [InlineData("User-agent: otherbot\nDisallow: /\n")]
    [InlineData("Disallow: /\n")]
    [InlineData("")]
    [InlineData("this is not a robots.txt at all\n<html>\n")]
    public void NoMatchingGroup_AllowsEverything(string robots) => Assert.True(Allowed(robots, "/anything"));

    [Fact]
    public void GallerysRobots_HaulFallsBackToStar()
    {
        var robots = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.25\n\nUser-agent: otherbot\nDisallow: /\n";
        var rules = RobotsTxt.Parse(robots).For("haul");

        Assert.False(rules.IsAllowed(new Uri("http://127.0.0.1:5000/private/a.html")));
        Assert.True(rules.IsAllowed(new Uri("http://127.0.0.1:5000/gallery/")));
        Assert.Equal(TimeSpan.FromMilliseconds(250), rules.CrawlDelay);
    }

    [Fact]
    public void ConsecutiveAgentLinesShareAGroup_ARuleEndsIt()
    {
        var robots = "User-agent: a\nUser-agent: b\nDisallow: /ab\nUser-agent: c\nDisallow: /c\n";

        Assert.False(Allowed(robots, "/ab", "a"));
        Assert.False(Allowed(robots, "/ab", "b"));
        Assert.True(Allowed(robots, "/c", "b"));
        Assert.True(Allowed(robots, "/ab", "c"));
        Assert.False(Allowed(robots, "/c", "c"));
    }

    [Fact]
    public void UnknownLinesAndSitemapsDoNotEndTheAgentLines()
    {
        var robots = "User-agent: a\nFoo: bar\nSitemap: http://example.com/s.xml\nUser-agent: haul\nDisallow: /x\n";

        Assert.False(Allowed(robots, "/x", "a"));
        Assert.False(Allowed(robots, "/x"));
    }

    [Fact]
    public void RulesBeforeAnyAgentLineAreIgnored() =>
        Assert.True(Allowed("Disallow: /x\nUser-agent: *\nDisallow: /y\n", "/x"));

    [Fact]
    public void EmptyDisallowAllows()
    {
        Assert.True(Allowed("User-agent: *\nDisallow:\n", "/x"));
        Assert.True(Allowed("User-agent: *\nDisallow: \nDisallow: # nothing\n", "/"));
    }

    [Fact]
    public void RobotsTxtItselfIsAlwaysAllowed()
    {
        Assert.True(Allowed("User-agent: *\nDisallow: /\n", "/robots.txt"));
        Assert.False(Allowed("User-agent: *\nDisallow: /\n", "/robots.txt.bak"));
    }

    [Theory]
    [InlineData("User-agent: *\r\nDisallow: /x\r\n")]
    [InlineData("User-agent: *\rDisallow: /x\r")]
    [InlineData("User-agent: *\nDisallow: /x")]
    [InlineData("\uFEFFUser-agent: *\nDisallow: /x\n")]
    [InlineData("# comment\n   User-agent:*   # who\n\tdisallow\t:\t/x # why\n")]
    [InlineData("USER-AGENT: *\nDISALLOW: /x\n")]
    [InlineData("User-agent *\nDisallow /x\n")]
    [InlineData("User-agent: *\r\n\r\nGarbage without meaning\nDisallow: /x\n")]
    public void ParsingIsTolerant(string robots)
    {
        Assert.False(Allowed(robots, "/x"));
        Assert.True(Allowed(robots, "/y"));
    }

    [Fact]
    public void MissingColonWithMoreThanTwoWords_IsIgnored() =>
        Assert.True(Allowed("User-agent: *\nDisallow /x and more\n", "/x"));

    [Fact]
    public void Utf8BomInBytes_IsSkipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("User-agent: *\nDisallow: /x\n")).ToArray();

        Assert.False(RobotsTxt.Parse(bytes).For("haul").IsAllowed(new Uri("http://example.com/x")));
    }

    [Fact]
    public void BodyIsCutAt500KiB_AndTheCutLineIsDropped()
    {
        var text = new StringBuilder("User-agent: *\nDisallow: /early\n");
        while (text.Length < RobotsTxt.MaxBytes - 100)
        {
            text.Append("# filler filler filler filler filler filler filler filler\n");
        }

        // The cut falls inside "Disallow: /straddling-the-cut", after "Disallow: /stra".
        text.Append('#', RobotsTxt.MaxBytes - 15 - 1 - text.Length).Append('\n');
        text.Append("Disallow: /straddling-the-cut\nDisallow: /late\n");
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        Assert.True(bytes.Length > RobotsTxt.MaxBytes);
        var rules = RobotsTxt.Parse(bytes).For("haul");

        Assert.False(rules.IsAllowed(new Uri("http://example.com/early")));
        Assert.True(rules.IsAllowed(new Uri("http://example.com/late")));
        Assert.True(rules.IsAllowed(new Uri("http://example.com/strad")));

        // The same text parsed whole does have both rules: the cut made the difference.
        var whole = RobotsTxt.Parse(text.ToString()).For("haul");
        Assert.False(whole.IsAllowed(new Uri("http://example.com/late")));
        Assert.False(whole.IsAllowed(new Uri("http://example.com/straddling-the-cut")));
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("0.5", 500)]
    [InlineData(".5", 500)]
    [InlineData("1.25", 1_250)]
    [InlineData(" 2 ", 2_000)]
    [InlineData("0", 0)]
    [InlineData("60", 60_000)]
    [InlineData("3600", 60_000)]
    [InlineData("1e9", null)]
    [InlineData("-1", null)]
    [InlineData("abc", null)]
    [InlineData("5s", null)]
    [InlineData("1,5", null)]
    [InlineData("", null)]
    public void CrawlDelayForms(string value, int? milliseconds)
    {
        var rules = RobotsTxt.Parse("User-agent: *\nCrawl-delay: " + value + "\nDisallow: /x\n").For("haul");

        Assert.Equal(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, rules.CrawlDelay);
    }

    [Fact]
    public void CrawlDelay_FirstUsableValueOfTheMatchingGroup()
    {
        var robots = "User-agent: *\nCrawl-delay: 9\n\nUser-agent: haul\nCrawl-delay: nonsense\ncrawl-DELAY: 2\nCrawl-delay: 3\n";

        Assert.Equal(TimeSpan.FromSeconds(2), RobotsTxt.Parse(robots).For("haul").CrawlDelay);
        Assert.Equal(TimeSpan.FromSeconds(9), RobotsTxt.Parse(robots).For("other").CrawlDelay);
        Assert.Null(RobotsTxt.Parse("User-agent: *\nDisallow: /\n").For("haul").CrawlDelay);
    }

    [Fact]
    public void CrawlDelayEndsTheAgentLines()
    {
        var robots = "User-agent: a\nCrawl-delay: 1\nUser-agent: b\nDisallow: /b\n";

        Assert.True(Allowed(robots, "/b", "a"));
        Assert.Null(RobotsTxt.Parse(robots).For("b").CrawlDelay);
    }

    [Fact]
    public void Sitemaps_AbsoluteHttpOnes_InOrder_WithoutDuplicates()
    {
        var robots = "Sitemap: http://example.com/a.xml\nUser-agent: *\nDisallow: /\nsitemap: https://example.com/b.xml.gz\n"
            + "Sitemap: /relative.xml\nSitemap: ftp://example.com/c.xml\nSitemap: http://example.com/a.xml\n";

        Assert.Equal(["http://example.com/a.xml", "https://example.com/b.xml.gz"], RobotsTxt.Parse(robots).Sitemaps);
    }

    [Fact]
    public void AllowAll_AllowsEverything()
    {
        var rules = RobotsTxt.AllowAll.For("haul");

        Assert.True(rules.IsAllowed(new Uri("http://example.com/private/x")));
        Assert.Null(rules.CrawlDelay);
        Assert.Empty(RobotsTxt.AllowAll.Sitemaps);
    }

    [Fact]
    public void PathologicalWildcards_EndQuickly()
    {
        var robots = "User-agent: *\nDisallow: " + string.Concat(Enumerable.Repeat("*a", 200)) + "b$\n";
        var url = new Uri("http://example.com/" + new string('a', 2000));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        Assert.True(RobotsTxt.Parse(robots).For("haul").IsAllowed(url));

        // Backtracking through 200 wildcards would not end in a lifetime; a busy machine may take a while over a linear match.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
    }
}
