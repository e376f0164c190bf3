using Haul.Input;

namespace Haul.Tests.Input;

public sealed class UrlListParserTests
{
    private const string Sha = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";

    private static Task<InputBatch> ParseAsync(params string[] lines) =>
        UrlListParser.ParseAsync(new StringReader(string.Join('\n', lines)), "list.txt", CancellationToken.None);

    [Fact]
    public async Task CommentsAndBlankLines_IgnoredAndNotCountedAsSkipped()
    {
        var batch = await ParseAsync("# a comment", "", "   ", "\t", "  # indented comment", "http://example.com/a.jpg");

        var request = Assert.Single(batch.Requests);
        Assert.Equal(new Uri("http://example.com/a.jpg"), request.Url);
        Assert.Null(request.OutputPath);
        Assert.Null(request.ExpectedSha256);
        Assert.Empty(batch.Skipped);
    }

    [Fact]
    public async Task SkippedLines_ShowEveryFieldWithoutItsCredentials()
    {
        var batch = await ParseAsync(
            "http://example.com/a.jpg\thttp://user:pw@example.com/b.jpg\textra",
            "http://example.com/a.jpg\tb.jpg\thttps://user:pw@example.com/c.jpg",
            "http://example.com/a.jpg\thttp://user:pw@example.com/../../b.jpg");

        Assert.Collection(
            batch.Skipped,
            s => AssertSkipped(s, "http://example.com/a.jpg\thttp://***@example.com/b.jpg\textra", "list.txt:1", "unexpected field 'extra'"),
            s => AssertSkipped(s, "http://example.com/a.jpg\tb.jpg\thttps://***@example.com/c.jpg", "list.txt:2", "unexpected field 'https://***@example.com/c.jpg'"),
            s => Assert.DoesNotContain("pw@", s.Text + s.Rule, StringComparison.Ordinal));
        Assert.Empty(batch.Requests);
    }

    [Theory]
    [InlineData("\"https://user:pw@example.com/a.jpg\"")]
    [InlineData("<https://user:pw@example.com/a.jpg>")]
    [InlineData("http://example.com/a.jpg\tb.jpg\tref=https://user:pw@example.com/")]
    [InlineData("ftp://example.com/a.jpg,https://user:pw@example.com/b.jpg")]
    public void SkippedLines_HideTheCredentialsOfAUrlInsideAWord(string line)
    {
        var batch = new InputBatch();
        UrlListParser.ParseLine(line, "argument 1", batch);

        var skipped = Assert.Single(batch.Skipped);
        Assert.DoesNotContain("pw@", skipped.Text + skipped.Rule, StringComparison.Ordinal);
        Assert.Contains("***@example.com", skipped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkippedLines_ShowNoPassword_OfAUrlAfterSpacesInQuotesOrInAngleBrackets()
    {
        var batch = await ParseAsync(
            "http://user:pw@example.com/a.jpg  # see http://other:pw@example.com/",
            "\"http://user:pw@example.com/b.jpg\"",
            "<http://user:pw@example.com/c.jpg>");

        Assert.Empty(batch.Requests);
        Assert.Collection(
            batch.Skipped,
            s => Assert.Equal("http://***@example.com/a.jpg  # see http://***@example.com/", s.Text),
            s => Assert.Equal("\"http://***@example.com/b.jpg\"", s.Text),
            s => Assert.Equal("<http://***@example.com/c.jpg>", s.Text));
        Assert.All(batch.Skipped, s => Assert.DoesNotContain("pw", s.Text + s.Rule, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AUrlInThePathField_IsSkipped_NotMadeAFolderNamedWithItsPassword()
    {
        var batch = await ParseAsync("http://example.com/a.jpg\thttp://user:pw@example.com/b.jpg");

        Assert.Empty(batch.Requests);
        var skipped = Assert.Single(batch.Skipped);
        AssertSkipped(
            skipped,
            "http://example.com/a.jpg\thttp://***@example.com/b.jpg",
            "list.txt:1",
            "output path 'http://***@example.com/b.jpg' is a URL: the field after the URL is a path in the output folder");
    }

    [Fact]
    public async Task BadLines_SkippedWithTheirLineNumberAndRule()
    {
        var batch = await ParseAsync(
            "# header",
            "http://example.com/ok.jpg",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "ftp://example.com/x.jpg",
            "",
            "example.com/no-scheme.jpg",
            "http://:secret@example.com/x.jpg");

        Assert.Single(batch.Requests);
        Assert.Collection(
            batch.Skipped,
            s => AssertSkipped(s, "file:///etc/passwd", "list.txt:3", "unsupported scheme 'file'"),
            s => AssertSkipped(s, "javascript:alert(1)", "list.txt:4", "unsupported scheme 'javascript'"),
            s => AssertSkipped(s, "ftp://example.com/x.jpg", "list.txt:5", "unsupported scheme 'ftp'"),
            s => AssertSkipped(s, "example.com/no-scheme.jpg", "list.txt:7", "no scheme"),
            s => AssertSkipped(s, "http://***@example.com/x.jpg", "list.txt:8", "malformed credentials"));
    }

    [Fact]
    public async Task TabSeparatedFields_GiveOutputPathAndLowercasedSha256()
    {
        var batch = await ParseAsync(
            "http://example.com/a.jpg\tcustom/name.jpg",
            "http://example.com/b.jpg\tsha256=" + Sha,
            "  http://example.com/c.jpg\tout/c.jpg\tsha256=" + Sha + "\t# trailing comment");

        Assert.Equal(["list.txt:1", "list.txt:2", "list.txt:3"], batch.Requests.Select(r => r.Source));
        Assert.Collection(
            batch.Requests.Select(r => r with { Source = null }),
            r => Assert.Equal(new DownloadRequest(new Uri("http://example.com/a.jpg"), "custom/name.jpg"), r),
            r => Assert.Equal(new DownloadRequest(new Uri("http://example.com/b.jpg"), null, Sha.ToLowerInvariant()), r),
            r => Assert.Equal(new DownloadRequest(new Uri("http://example.com/c.jpg"), "out/c.jpg", Sha.ToLowerInvariant()), r));
        Assert.Empty(batch.Skipped);
    }

    [Theory]
    [InlineData("http://example.com/a.jpg\tsha256=abc", "sha256 must be 64 hexadecimal digits")]
    [InlineData("http://example.com/a.jpg\tsha256=" + "zz" + "23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "sha256 must be 64 hexadecimal digits")]
    [InlineData("http://example.com/a.jpg\tone.jpg\ttwo.jpg", "unexpected field 'two.jpg'")]
    [InlineData("http://exa mple.com/a.jpg", "white space")]
    [InlineData("http://example.com/a\0.jpg", "control character")]
    [InlineData("http://example.com/\u001b[31ma.jpg", "control character")]
    public void ParseLine_InvalidEntry_SkippedWithRule(string line, string rule)
    {
        var batch = new InputBatch();

        UrlListParser.ParseLine(line, "argument 1", batch);

        Assert.Empty(batch.Requests);
        var skipped = Assert.Single(batch.Skipped);
        Assert.Equal("argument 1", skipped.Source);
        Assert.Contains(rule, skipped.Rule, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://example.com/a.jpg")]
    [InlineData("https://example.com:8443/a/b.png?x=1")]
    [InlineData("http://127.0.0.1:1234/files/img00001.png")]
    [InlineData("http://[::1]/x")]
    public void UrlRules_HttpAndHttpsWithHost_Accepted(string url) => Assert.Null(UrlRules.Check(url));

    private static void AssertSkipped(SkippedInput skipped, string text, string source, string rule)
    {
        Assert.Equal(text, skipped.Text);
        Assert.Equal(source, skipped.Source);
        Assert.Contains(rule, skipped.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALineTooLong_IsSkippedShortAndWithoutItsPassword_AndTheNextLineIsRead()
    {
        var batch = await ParseAsync("https://u:secret@example.com/" + new string('a', UrlListParser.MaxLineLength), "http://example.com/b.jpg");

        Assert.Equal(new Uri("http://example.com/b.jpg"), Assert.Single(batch.Requests).Url);
        var skipped = Assert.Single(batch.Skipped);
        Assert.Equal("list.txt:1", skipped.Source);
        Assert.Equal("the line is longer than 65536 characters", skipped.Rule);
        Assert.StartsWith("https://***@example.com/aaa", skipped.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", skipped.Text, StringComparison.Ordinal);
        Assert.True(skipped.Text.Length <= 101);
    }

    [Fact]
    public async Task ALineTooLong_WithATokenLongerThanWhatIsShown_ShowsNoneOfIt()
    {
        var token = new string('t', 150);
        var batch = await ParseAsync("https://" + token + "@example.com/" + new string('a', UrlListParser.MaxLineLength));

        var skipped = Assert.Single(batch.Skipped);
        Assert.StartsWith("https://***@example.com/aaa", skipped.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ttt", skipped.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALineTooLongWithNulCharacters_EndsTheList()
    {
        var batch = await ParseAsync("http://example.com/a.jpg", new string('\0', UrlListParser.MaxLineLength + 1), "http://example.com/c.jpg");

        Assert.Equal(new Uri("http://example.com/a.jpg"), Assert.Single(batch.Requests).Url);
        var skipped = Assert.Single(batch.Skipped);
        Assert.Equal("list.txt:2", skipped.Source);
        Assert.Contains("binary data (NUL characters)", skipped.Rule, StringComparison.Ordinal);
        Assert.DoesNotContain('\0', skipped.Text);
    }
}
