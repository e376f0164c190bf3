using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class TrapRulesTests
{
    private static string? Check(string url) => TrapRules.Check(new Uri(url));

    [Theory]
    [InlineData("http://h/a/more/more/more/")]
    [InlineData("http://h/gallery/more/more/more/")]
    [InlineData("http://h/x/a/y/a/z/a")]
    [InlineData("http://h/a/%6dore/more/mor%65/")]
    public void SegmentThreeTimes_IsRepeatedSegment(string url) => Assert.Equal("repeated-segment", Check(url));

    [Theory]
    [InlineData("http://h/a/more/more/")]
    [InlineData("http://h/2020/01/01/")]
    [InlineData("http://h/a/More/more/MORE/")]
    [InlineData("http://h/a/b?x=more/more/more")]
    [InlineData("http://h/a///b")]
    public void SegmentTwice_IsNotATrap(string url) => Assert.Null(Check(url));

    [Fact]
    public void MoreThan32Segments_IsUrlTooLong()
    {
        var path32 = string.Join('/', Enumerable.Range(1, 32).Select(i => "s" + i));

        Assert.Null(Check("http://h/" + path32));
        Assert.Null(Check("http://h/" + path32 + "/"));
        Assert.Equal("url-too-long", Check("http://h/" + path32 + "/s33"));
    }

    [Fact]
    public void LongerThan2048Characters_IsUrlTooLong()
    {
        var prefix = "http://h/";
        var exactly = prefix + new string('a', TrapRules.MaxUrlLength - prefix.Length);

        Assert.Equal(2048, exactly.Length);
        Assert.Null(Check(exactly));
        Assert.Equal("url-too-long", Check(exactly + "a"));
        Assert.Equal("url-too-long", Check(prefix + "?q=" + new string('b', 2048)));
    }

    [Fact]
    public void LengthIsCountedOnTheNormalForm()
    {
        // A fragment is never sent; escapes of unreserved characters are one character each.
        var prefix = "http://h/";
        var path = new string('a', TrapRules.MaxUrlLength - prefix.Length);

        Assert.Null(Check(prefix + path + "#" + new string('f', 100)));
        Assert.Null(Check(prefix + "%61%61" + path[2..]));
    }

    [Fact]
    public void MoreThan16Parameters_IsQueryGrowth()
    {
        var sixteen = string.Join('&', Enumerable.Range(1, 16).Select(i => $"k{i}=v"));

        Assert.Null(Check("http://h/p?" + sixteen));
        Assert.Equal("query-growth", Check("http://h/p?" + sixteen + "&k17=v"));
    }

    [Theory]
    [InlineData("http://h/p?sort=asc&sort=asc")]
    [InlineData("http://h/p?a=1&b=2&a=3")]
    [InlineData("http://h/p?a&a")]
    [InlineData("http://h/p?a=1&%61=2")]
    public void RepeatedKey_IsQueryGrowth(string url) => Assert.Equal("query-growth", Check(url));

    [Theory]
    [InlineData("http://h/p?sort=asc&page=2")]
    [InlineData("http://h/p?a=1&&b=2&")]
    [InlineData("http://h/p?a=x&A=y")]
    [InlineData("http://h/p?")]
    [InlineData("http://h/")]
    public void OrdinaryQueries_AreNotTraps(string url) => Assert.Null(Check(url));

    [Fact]
    public void CheckLength_IgnoresTheOtherTraps()
    {
        Assert.Null(TrapRules.CheckLength(new Uri("http://h/a/more/more/more/?x=1&x=2")));
        Assert.Equal("url-too-long", TrapRules.CheckLength(new Uri("http://h/" + new string('a', 2100))));
    }
}
