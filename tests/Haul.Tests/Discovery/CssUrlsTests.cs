using Haul.Discovery;

namespace Haul.Tests.Discovery;

public sealed class CssUrlsTests
{
    [Theory]
    [InlineData("background-image: url(a.jpg)", "a.jpg")]
    [InlineData("background-image:url('a b.jpg')", "a b.jpg")]
    [InlineData("BACKGROUND: #fff URL( \"a.jpg\" ) no-repeat", "a.jpg")]
    [InlineData("background:url(  a.jpg  )", "a.jpg")]
    [InlineData(@"background-image: url(a\(1\).jpg)", "a(1).jpg")]
    [InlineData(@"background-image: url('\61 .jpg')", "a.jpg")]
    [InlineData("background-image: url(\"a;b.jpg\"); color: red", "a;b.jpg")]
    [InlineData("/* background: url(no.jpg) */ background-image: url(yes.jpg)", "yes.jpg")]
    public void BackgroundUrls_OneUrl(string css, string expected) =>
        Assert.Equal([expected], CssUrls.BackgroundUrls(css));

    [Fact]
    public void BackgroundUrls_SeveralUrlsAndRules_InOrder()
    {
        const string css = """
            .a { background-image: url(one.jpg), url('two.png'); }
            .b { color: red; background: linear-gradient(#000, #fff), url("three.webp") center; }
            .c { background-image: none }
            """;

        Assert.Equal(["one.jpg", "two.png", "three.webp"], CssUrls.BackgroundUrls(css));
    }

    [Theory]
    [InlineData("border-image: url(a.jpg)")]
    [InlineData("list-style-image: url(a.png)")]
    [InlineData("background-color: red")]
    [InlineData("--my-background: url(a.jpg)")]
    [InlineData("background-image: myurl(a.jpg)")]
    [InlineData("")]
    public void BackgroundUrls_OtherDeclarations_GiveNothing(string css) => Assert.Empty(CssUrls.BackgroundUrls(css));
}
