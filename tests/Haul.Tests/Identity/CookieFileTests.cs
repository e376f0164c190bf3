using Haul.Identity;

namespace Haul.Tests.Identity;

public sealed class CookieFileTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<StoredCookie> Read(string text) => CookieFile.Read(new StringReader(text), "cookies.txt", Now).ToList();

    [Fact]
    public void ANetscapeFile_AsBrowsersAndCurlWriteIt_IsRead()
    {
        var cookies = Read("""
            # Netscape HTTP Cookie File
            # https://curl.se/docs/http-cookies.html

            .example.com	TRUE	/	FALSE	0	sid	abc
            #HttpOnly_www.example.org	FALSE	/app	TRUE	4102444800	token	x=y
            example.net	FALSE	/	FALSE	4102444800	empty	
            """.Replace("\r", string.Empty, StringComparison.Ordinal));

        Assert.Equal(3, cookies.Count);
        Assert.Equal(new StoredCookie("sid", "abc", "example.com", "/", HostOnly: false, Secure: false, HttpOnly: false, null, Now), cookies[0]);
        Assert.Equal(new StoredCookie("token", "x=y", "www.example.org", "/app", HostOnly: true, Secure: true, HttpOnly: true, DateTimeOffset.FromUnixTimeSeconds(4102444800), Now), cookies[1]);
        Assert.Equal(string.Empty, cookies[2].Value);
    }

    [Fact]
    public void ExpiredCookies_AreLeftOut() =>
        Assert.Empty(Read("example.com\tFALSE\t/\tFALSE\t1000\told\tv\n"));

    [Theory]
    [InlineData("example.com\tFALSE\t/\tFALSE\t0\tname", "line 1: expected 7 tab-separated fields")]
    [InlineData("example.com FALSE / FALSE 0 name value", "found 1")]
    [InlineData("example.com\tFALSE\t/\tFALSE\t0\ta\tb\tc", "found 8")]
    [InlineData("example.com\tMAYBE\t/\tFALSE\t0\ta\tb", "TRUE or FALSE")]
    [InlineData("example.com\tFALSE\t/\tFALSE\tnext-week\ta\tb", "the expiry 'next-week'")]
    [InlineData("example.com\tFALSE\t/\tFALSE\t-5\ta\tb", "the expiry '-5'")]
    [InlineData("example.com\tFALSE\t/\tFALSE\t99999999999999999999999\ta\tb", "is not a number")]
    [InlineData("example.com\tFALSE\tnoslash\tFALSE\t0\ta\tb", "does not start with '/'")]
    [InlineData("exa mple.com\tFALSE\t/\tFALSE\t0\ta\tb", "is not a domain")]
    [InlineData("example.com\tFALSE\t/\tFALSE\t0\t\tb", "name is empty")]
    public void AMalformedLine_IsAnErrorNamingTheFileAndLine(string line, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(line));

        Assert.Contains("'cookies.txt' line 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void AHugeLine_IsRefusedWithoutReadingItWhole()
    {
        var reader = new EndlessReader();

        var error = Assert.Throws<InvalidDataException>(() => CookieFile.Read(reader, "huge.txt", Now).ToList());

        Assert.Contains("'huge.txt' line 1: longer than", error.Message, StringComparison.Ordinal);
        Assert.True(reader.Served <= CookieFile.MaxLineLength + 4096);
    }

    [Fact]
    public void TheLineNumberCountsCommentsAndBlankLines()
    {
        var error = Assert.Throws<InvalidDataException>(() => Read("# comment\n\nexample.com\tFALSE\t/\tFALSE\t0\ta\tb\nbad\n"));

        Assert.Contains("line 4:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFile_IsAnErrorNamingIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => CookieFile.Read("/nonexistent/cookies.txt", Now).ToList());

        Assert.StartsWith("the cookie file '/nonexistent/cookies.txt' cannot be read", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A file of one endless line.</summary>
    private sealed class EndlessReader : TextReader
    {
        public int Served { get; private set; }

        public override int Read()
        {
            Served++;
            return 'x';
        }
    }
}
