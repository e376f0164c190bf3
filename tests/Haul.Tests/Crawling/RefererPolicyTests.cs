using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class RefererPolicyTests
{
    private static string? For(string page, string target, RefererMode mode) => RefererPolicy.For(new Uri(page), new Uri(target), mode);

    [Theory]
    [InlineData("http://h/p?token=1", "http://cdn/i.jpg", "http://h/")]
    [InlineData("https://h/p", "https://cdn/i.jpg", "https://h/")]
    [InlineData("http://h/p", "https://cdn/i.jpg", "http://h/")]
    [InlineData("http://h/p", "http://h:8080/i.jpg", "http://h/")]
    public void Full_ToAnotherOriginIsOnlyTheOrigin(string page, string target, string expected) =>
        Assert.Equal(expected, RefererPolicy.For(new Uri(page), new Uri(target), RefererMode.Full));

    [Theory]
    [InlineData("http://127.0.0.1:5000/gallery/page/2", "http://127.0.0.1:5000/img/full/1.jpg", "http://127.0.0.1:5000/gallery/page/2")]
    [InlineData("http://h/p?x=1#frag", "http://h/i.jpg", "http://h/p?x=1")]
    [InlineData("http://user:secret@h/p", "http://h/i.jpg", "http://h/p")]
    [InlineData("HTTP://H:80/a%7eb/ü", "http://h/i.jpg", "http://h/a~b/%C3%BC")]
    [InlineData("https://h/p", "https://h/i.jpg", "https://h/p")]
    [InlineData("http://h:8080/p", "http://h:8080/i.jpg", "http://h:8080/p")]
    public void Full_IsThePageWithoutFragmentAndUserInfo(string page, string target, string expected) =>
        Assert.Equal(expected, For(page, target, RefererMode.Full));

    [Theory]
    [InlineData("http://127.0.0.1:5000/gallery/page/2?x#y", "http://127.0.0.1:5000/")]
    [InlineData("https://user:pw@Example.com:443/a/b", "https://example.com/")]
    [InlineData("https://example.com:8443/a/b", "https://example.com:8443/")]
    [InlineData("http://[::1]:5000/a", "http://[::1]:5000/")]
    public void Origin_IsSchemeHostAndPort(string page, string expected) =>
        Assert.Equal(expected, For(page, "https://cdn/i.jpg", RefererMode.Origin));

    [Fact]
    public void None_SendsNothing() => Assert.Null(For("http://h/p", "http://h/i.jpg", RefererMode.None));

    [Theory]
    [InlineData("Full")]
    [InlineData("Origin")]
    public void NeverFromHttpsToHttp(string modeName)
    {
        var mode = Enum.Parse<RefererMode>(modeName);
        Assert.Null(For("https://h/p", "http://h/i.jpg", mode));
        Assert.NotNull(For("https://h/p", "https://h/i.jpg", mode));
    }
}
