using Haul.Identity;
using Haul.Journal;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Identity;

public sealed class CookieJarTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<JournalUpdate> _persisted = [];

    private CookieJar NewJar() => new(_time, _persisted.Add);

    private static Uri U(string url) => new(url);

    [Fact]
    public void HostOnlyCookie_GoesToItsHostOnly_NotToSubdomainsOrOtherHosts()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/a/b.html"), "sid=1");

        Assert.Equal("sid=1", jar.HeaderFor(U("http://example.com/a/c.jpg")));
        Assert.Null(jar.HeaderFor(U("http://www.example.com/a/c.jpg")));
        Assert.Null(jar.HeaderFor(U("http://example.org/a/c.jpg")));
        Assert.Null(jar.HeaderFor(U("http://notexample.com/a/c.jpg")));
    }

    [Fact]
    public void DomainCookie_GoesToTheDomainAndItsSubdomains_NeverToALookalike()
    {
        var jar = NewJar();
        jar.Receive(U("http://www.example.com/"), "sid=1; Domain=.Example.COM; Path=/");

        Assert.Equal("sid=1", jar.HeaderFor(U("http://example.com/x")));
        Assert.Equal("sid=1", jar.HeaderFor(U("http://img.cdn.example.com/x")));
        Assert.Null(jar.HeaderFor(U("http://badexample.com/x")));
        Assert.Null(jar.HeaderFor(U("http://example.com.evil.org/x")));
    }

    [Theory]
    [InlineData("http://www.example.com/", "sid=1; Domain=other.com")]
    [InlineData("http://www.example.com/", "sid=1; Domain=sub.www.example.com")]
    [InlineData("http://www.example.com/", "sid=1; Domain=com")]
    [InlineData("http://127.0.0.1/", "sid=1; Domain=0.0.1")]
    [InlineData("http://example.com/", "sid=1; Secure")]
    [InlineData("http://example.com/", "no-equals-sign")]
    [InlineData("http://example.com/", "=value-without-name")]
    public void CookiesAServerMayNotSet_AreIgnored(string url, string header)
    {
        var jar = NewJar();
        jar.Receive(U(url), header);

        Assert.Equal(0, jar.Count);
        Assert.Empty(_persisted);
    }

    [Fact]
    public void PathMatching_FollowsSegments_AndTheDefaultPathIsTheRequestsFolder()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/gallery/page/2"), "folder=1");
        jar.Receive(U("http://example.com/"), "docs=1; Path=/docs");

        Assert.Equal("folder=1", jar.HeaderFor(U("http://example.com/gallery/page/3")));
        Assert.Null(jar.HeaderFor(U("http://example.com/gallery/other")));
        Assert.Equal("docs=1", jar.HeaderFor(U("http://example.com/docs")));
        Assert.Equal("docs=1", jar.HeaderFor(U("http://example.com/docs/a")));
        Assert.Null(jar.HeaderFor(U("http://example.com/docsx")));
    }

    [Fact]
    public void SecureCookie_GoesOverHttpsOnly()
    {
        var jar = NewJar();
        jar.Receive(U("https://example.com/"), "s=1; Secure; Path=/");

        Assert.Equal("s=1", jar.HeaderFor(U("https://example.com/a")));
        Assert.Null(jar.HeaderFor(U("http://example.com/a")));
    }

    [Fact]
    public void Expiry_MaxAgeWinsOverExpires_AndAnExpiredCookieIsNoLongerSentAndIsDeleted()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "a=1; Max-Age=60; Expires=Wed, 09 Jun 2100 10:18:14 GMT");
        jar.Receive(U("http://example.com/"), "b=2; Expires=Fri, 27 Nov 2026 12:02:00 GMT");

        Assert.Equal("a=1; b=2", jar.HeaderFor(U("http://example.com/")));
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("b=2", jar.HeaderFor(U("http://example.com/")));
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Null(jar.HeaderFor(U("http://example.com/")));
        Assert.Equal(0, jar.Count);
        Assert.Contains(_persisted, u => u is CookieDeleted { Name: "a" });
        Assert.Contains(_persisted, u => u is CookieDeleted { Name: "b" });
    }

    [Theory]
    [InlineData("sid=; Max-Age=0")]
    [InlineData("sid=; Max-Age=-5")]
    [InlineData("sid=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT")]
    public void AServerDeletesACookie_ByExpiringIt(string deletion)
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "sid=1");
        jar.Receive(U("http://example.com/"), deletion);

        Assert.Null(jar.HeaderFor(U("http://example.com/")));
        Assert.IsType<CookieDeleted>(_persisted[^1]);
    }

    [Fact]
    public void ACookieIsReplacedByNameDomainAndPath_KeepingItsCreationTime_AndLongerPathsGoFirst()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "a=1; Path=/");
        _time.Advance(TimeSpan.FromSeconds(1));
        jar.Receive(U("http://example.com/"), "b=1; Path=/");
        jar.Receive(U("http://example.com/"), "c=1; Path=/x");
        _time.Advance(TimeSpan.FromSeconds(1));
        jar.Receive(U("http://example.com/"), "a=2; Path=/");

        Assert.Equal("c=1; a=2; b=1", jar.HeaderFor(U("http://example.com/x/y")));
        Assert.Equal(3, jar.Count);
    }

    [Fact]
    public void IpAddressHosts_MatchOnlyThemselves()
    {
        var jar = NewJar();
        jar.Receive(U("http://127.0.0.1:8080/"), "a=1");

        // Cookies do not tell ports apart (RFC 6265, section 8.5); hosts they do.
        Assert.Equal("a=1", jar.HeaderFor(U("http://127.0.0.1:9090/")));
        Assert.Null(jar.HeaderFor(U("http://localhost:8080/")));
    }

    [Fact]
    public void OversizedCookies_AreIgnored_AndADomainHoldsABoundedNumber()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "big=" + new string('x', 5000));
        Assert.Equal(0, jar.Count);

        for (var i = 0; i < CookieJar.MaxPerDomain + 20; i++)
        {
            jar.Receive(U("http://example.com/"), $"c{i}=v");
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(CookieJar.MaxPerDomain, jar.Count);
        Assert.DoesNotContain("c0=v", jar.HeaderFor(U("http://example.com/"))!.Split("; "));
    }

    [Fact]
    public void AnImportBeyondTheBounds_KeepsTheFirstCookiesAndCountsTheRest()
    {
        var jar = NewJar();
        jar.Receive(U("http://kept.example/"), "mine=1");
        var now = _time.GetUtcNow();
        var imported = Enumerable.Range(0, 200).Select(i => new StoredCookie($"a{i}", "v", "example.com", "/", true, false, false, null, now))
            .Concat(Enumerable.Range(0, 100_000).Select(i => new StoredCookie($"b{i}", "v", $"d{i % 1000}.example", "/", true, false, false, null, now)));

        var leftOut = jar.Import(imported);

        Assert.Equal(CookieJar.MaxTotal, jar.Count);
        Assert.Equal(100_200 + 1 - CookieJar.MaxTotal, leftOut);
        Assert.Equal("mine=1", jar.HeaderFor(U("http://kept.example/")));
        Assert.Equal(Enumerable.Range(0, CookieJar.MaxPerDomain).Select(i => $"a{i}=v").Order(StringComparer.Ordinal),
            jar.HeaderFor(U("http://example.com/"))!.Split("; ").Order(StringComparer.Ordinal));

        // A cookie already in the jar is still replaced when the jar is full.
        Assert.Equal(0, jar.Import([new StoredCookie("a0", "new", "example.com", "/", true, false, false, null, now)]));
        Assert.Contains("a0=new", jar.HeaderFor(U("http://example.com/"))!.Split("; "));
    }

    [Fact]
    public void EveryChangeIsPersisted_AndLoadedCookiesAreNotWrittenAgain()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "a=1");
        jar.Receive(U("http://example.com/"), "a=1");
        Assert.Single(_persisted);
        var stored = Assert.IsType<CookieStored>(_persisted[0]).Cookie;
        Assert.Null(stored.Expires);
        Assert.True(stored.HostOnly);

        var resumed = new CookieJar(_time, _persisted.Add);
        resumed.Load([stored]);
        Assert.Single(_persisted);
        Assert.Equal("a=1", resumed.HeaderFor(U("http://example.com/")));
    }

    [Theory]
    [InlineData("Wed, 09 Jun 2021 10:18:14 GMT", 2021, 6, 9, 10, 18, 14)]
    [InlineData("Wednesday, 09-Jun-21 10:18:14 GMT", 2021, 6, 9, 10, 18, 14)]
    [InlineData("Wed Jun  9 10:18:14 2021", 2021, 6, 9, 10, 18, 14)]
    [InlineData("9 jun 1999 1:2:3", 1999, 6, 9, 1, 2, 3)]
    public void CookieDates_AreReadLikeBrowsersDo(string text, int year, int month, int day, int hour, int minute, int second) =>
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero), CookieDate.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("not a date")]
    [InlineData("31 Feb 2021 10:00:00")]
    [InlineData("Wed, 09 Jun 2021 25:18:14 GMT")]
    [InlineData("Wed, 09 Jun 1500 10:18:14 GMT")]
    public void BadCookieDates_AreNotDates(string text) => Assert.Null(CookieDate.Parse(text));

    [Fact]
    public void ABadExpires_LeavesASessionCookie()
    {
        var jar = NewJar();
        jar.Receive(U("http://example.com/"), "a=1; Expires=soon");

        Assert.Null(Assert.Single(jar.Snapshot()).Expires);
    }
}
