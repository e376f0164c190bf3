using System.Text;
using Haul.Writing;

namespace Haul.Tests.Writing;

public sealed class OutputPathMapperTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "haul-mapper-root");

    public static TheoryData<string> HostileUrls => new()
    {
        "http://example.com/a/../../../../etc/passwd",
        "http://example.com/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://example.com/%2E%2E/%2E%2E/x.jpg",
        "http://example.com/..%2f..%2f..%2fetc%2fpasswd",
        "http://example.com/..%5c..%5c..%5cwindows%5cwin.ini",
        "http://example.com//etc/passwd",
        "http://example.com/%2Fetc%2Fpasswd",
        "http://example.com/C:/Windows/win.ini",
        "http://example.com/C:%5cWindows%5cwin.ini",
        "http://example.com/.",
        "http://example.com/...",
        "http://example.com/a/%2e",
        "http://example.com/evil%E2%80%AEgpj.exe",
        "http://example.com/a%00b",
        "http://example.com/" + new string('x', 400),
        "http://[::1]:8080/x.jpg?a=../../b",
    };

    [Theory]
    [MemberData(nameof(HostileUrls))]
    public void Map_HostileUrl_NoDotSegmentsAndResolvesInsideRoot(string url)
    {
        var mapped = OutputPathMapper.Map(new Uri(url));

        var segments = mapped.Split('/');
        Assert.All(segments, s =>
        {
            Assert.NotEqual(".", s);
            Assert.NotEqual("..", s);
            Assert.NotEmpty(s);
            Assert.DoesNotContain('\\', s);
            Assert.DoesNotContain(':', s);
            Assert.True(Encoding.UTF8.GetByteCount(s) <= 200, s);
        });
        var resolved = OutputPathMapper.Resolve(Root, mapped);
        Assert.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, resolved, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/a/b.jpg", "example.com/a/b.jpg")]
    [InlineData("http://Example.COM/a/B.jpg", "example.com/a/B.jpg")]
    [InlineData("http://127.0.0.1:8080/x.png", "127.0.0.1_8080/x.png")]
    [InlineData("https://example.com:443/x.png", "example.com/x.png")]
    [InlineData("http://example.com/", "example.com/index.html")]
    [InlineData("http://example.com/dir/", "example.com/dir/index.html")]
    [InlineData("http://example.com/a/../../../etc/passwd", "example.com/etc/passwd")]
    [InlineData("http://example.com//etc/passwd", "example.com/etc/passwd")]
    [InlineData("http://example.com/C:/Windows/win.ini", "example.com/C_/Windows/win.ini")]
    public void Map_PlainAndDotSegmentUrls_MirrorHostAndPath(string url, string expected) =>
        Assert.Equal(expected, OutputPathMapper.Map(new Uri(url)));

    [Theory]
    [InlineData("http://example.com/a%2fb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%2Fb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%5cb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%5Cb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/%2Fetc%2Fpasswd", "example.com/_etc_passwd")]
    public void Map_EncodedSeparators_BecomeUnderscoresWithinOneName(string url, string expected) =>
        Assert.Equal(expected, OutputPathMapper.Map(new Uri(url)));

    [Theory]
    [InlineData("http://example.com/evil%E2%80%AEgpj.exe", "example.com/evil_gpj.exe")]
    [InlineData("http://example.com/a%E2%80%8Bb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%E2%80%8Fb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%07b.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%0Ab.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%7Fb.jpg", "example.com/a_b.jpg")]
    [InlineData("http://example.com/a%3Cb%3E.jpg", "example.com/a_b_.jpg")]
    public void Map_BidiZeroWidthControlAndForbiddenCharacters_Replaced(string url, string expected) =>
        Assert.Equal(expected, OutputPathMapper.Map(new Uri(url)));

    [Theory]
    [InlineData("http://example.com/CON", "example.com/_CON")]
    [InlineData("http://example.com/nul.txt", "example.com/_nul.txt")]
    [InlineData("http://example.com/com1.jpg", "example.com/_com1.jpg")]
    [InlineData("http://example.com/LPT9.tar.gz", "example.com/_LPT9.tar.gz")]
    [InlineData("http://example.com/aux/x.jpg", "example.com/_aux/x.jpg")]
    [InlineData("http://example.com/CONSOLE.txt", "example.com/CONSOLE.txt")]
    [InlineData("http://example.com/name...", "example.com/name")]
    public void Map_WindowsReservedNamesAndTrailingDots_Neutralised(string url, string expected) =>
        Assert.Equal(expected, OutputPathMapper.Map(new Uri(url)));

    [Fact]
    public void Map_OverLongName_ShortenedWithStableHashAndExtensionKept()
    {
        var longName = new string('a', 300) + ".jpg";
        var url = new Uri("http://example.com/" + longName);

        var mapped = OutputPathMapper.Map(url);
        var name = mapped["example.com/".Length..];

        Assert.True(Encoding.UTF8.GetByteCount(name) <= 200);
        Assert.EndsWith("~" + OutputPathMapper.ShortHash(longName) + ".jpg", name, StringComparison.Ordinal);
        Assert.StartsWith("aaaa", name, StringComparison.Ordinal);
        Assert.Equal(mapped, OutputPathMapper.Map(url));
        Assert.NotEqual(mapped, OutputPathMapper.Map(new Uri("http://example.com/" + new string('a', 301) + ".jpg")));
    }

    [Fact]
    public void Map_OverLongMultiByteName_ShortenedOnWholeCharacters()
    {
        var url = new Uri("http://example.com/" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("é😀", 80))) + ".png");

        var name = OutputPathMapper.Map(url)["example.com/".Length..];

        Assert.True(Encoding.UTF8.GetByteCount(name) <= 200);
        Assert.EndsWith(".png", name, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', name);
        Assert.All(name.EnumerateRunes(), r => Assert.NotEqual(Rune.ReplacementChar, r));
        Assert.Equal(name, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)));
    }

    [Fact]
    public void Map_ComposedAndDecomposedName_MapToOnePrecomposedPath()
    {
        var composed = OutputPathMapper.Map(new Uri("http://h/caf%C3%A9.jpg"));
        var decomposed = OutputPathMapper.Map(new Uri("http://h/cafe%CC%81.jpg"));

        Assert.Equal("h/caf\u00E9.jpg", composed);
        Assert.Equal(composed, decomposed);
    }

    [Fact]
    public void Map_Query_FoldedIntoStableSuffixBeforeExtension()
    {
        var first = OutputPathMapper.Map(new Uri("http://example.com/img/a.jpg?size=large&v=2"));
        var again = OutputPathMapper.Map(new Uri("http://example.com/img/a.jpg?size=large&v=2"));
        var other = OutputPathMapper.Map(new Uri("http://example.com/img/a.jpg?size=small&v=2"));
        var plain = OutputPathMapper.Map(new Uri("http://example.com/img/a.jpg"));

        Assert.Equal("example.com/img/a~" + OutputPathMapper.ShortHash("size=large&v=2") + ".jpg", first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.Equal("example.com/img/a.jpg", plain);
        Assert.DoesNotContain('?', first);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("../../etc/passwd")]
    [InlineData("a/../../x")]
    public void Resolve_PathLeavingRoot_Throws(string relative) =>
        Assert.Throws<InvalidOperationException>(() => OutputPathMapper.Resolve(Root, relative));

    [Fact]
    public void Resolve_RelativePath_LandsUnderRoot() =>
        Assert.Equal(
            Path.Combine(Path.GetFullPath(Root), "a", "b.jpg"),
            OutputPathMapper.Resolve(Root, "a/b.jpg"));

    [Theory]
    [InlineData("../../etc/passwd", "_/_/etc/passwd")]
    [InlineData("/abs/path.jpg", "abs/path.jpg")]
    [InlineData("dir\\sub\\x.jpg", "dir/sub/x.jpg")]
    [InlineData("./a/./b.jpg", "a/b.jpg")]
    [InlineData("out/CON.jpg", "out/_CON.jpg")]
    public void SanitizeRelative_UserChosenPath_MadeSafe(string path, string expected)
    {
        var sanitized = OutputPathMapper.SanitizeRelative(path);

        Assert.Equal(expected, sanitized);
        Assert.StartsWith(Path.GetFullPath(Root) + Path.DirectorySeparatorChar, OutputPathMapper.Resolve(Root, sanitized), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".haul/journal.db", "_.haul/journal.db")]
    [InlineData(".HAUL/lock", "_.HAUL/lock")]
    [InlineData("report.json", "_report.json")]
    [InlineData("Failed.TXT", "_Failed.TXT")]
    [InlineData("report.json.tmp", "_report.json.tmp")]
    [InlineData("sub/report.json", "sub/report.json")]
    [InlineData("sub/.haul/x", "sub/.haul/x")]
    public void SanitizeRelative_PathOnHaulsOwnTopLevelFiles_Diverted(string path, string expected) =>
        Assert.Equal(expected, OutputPathMapper.SanitizeRelative(path));

    [Theory]
    [InlineData("http://report.json/x.jpg", "_report.json/x.jpg")]
    [InlineData("http://failed.txt/", "_failed.txt/index.html")]
    [InlineData("http://report.json:8080/x.jpg", "report.json_8080/x.jpg")]
    public void Map_HostNamedLikeHaulsOwnFiles_Diverted(string url, string expected) =>
        Assert.Equal(expected, OutputPathMapper.Map(new Uri(url)));

    [Fact]
    public void SanitizeRelative_PathNamingNoFile_Throws() =>
        Assert.Throws<ArgumentException>(() => OutputPathMapper.SanitizeRelative("/./"));

    [Theory]
    [InlineData("a/b.jpg", "~1", "a/b~1.jpg")]
    [InlineData("a/b", "~1", "a/b~1")]
    [InlineData("a/.hidden", "~1", "a/.hidden~1")]
    [InlineData("b.tar.gz", "~x", "b.tar~x.gz")]
    public void AddSuffix_InsertsBeforeExtension(string path, string suffix, string expected) =>
        Assert.Equal(expected, OutputPathMapper.AddSuffix(path, suffix));
}
