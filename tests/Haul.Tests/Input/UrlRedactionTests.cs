using Haul.Input;

namespace Haul.Tests.Input;

/// <summary>What of a URL's user information may be shown: none of it.</summary>
public sealed class UrlRedactionTests
{
    [Theory]
    [InlineData("https://user:secret@example.com/a.jpg", "https://***@example.com/a.jpg")]
    [InlineData("https://ghp_TOKEN@example.com/a.jpg", "https://***@example.com/a.jpg")]
    [InlineData("https://user:pa@ss@example.com/a.jpg", "https://***@example.com/a.jpg")]
    [InlineData("https://user:secret@example.com", "https://***@example.com")]
    [InlineData("https://example.com/a@b.jpg", "https://example.com/a@b.jpg")]
    [InlineData("https://example.com/?to=x@y", "https://example.com/?to=x@y")]
    [InlineData("not a url", "not a url")]
    [InlineData("user:s3cret@127.0.0.1/a.png", "***@127.0.0.1/a.png")]
    [InlineData("https:/user:s3cret@host/a.png", "https:/***@host/a.png")]
    [InlineData("HTTPS:user:s3cret@host/a.png", "HTTPS:***@host/a.png")]
    [InlineData("http:\\\\user:s3cret@host/a.png", "http:\\\\***@host/a.png")]
    [InlineData("https:///user:s3cret@host/a.png", "https:///***@host/a.png")]
    [InlineData("user:s3cret@host", "***@host")]
    [InlineData("host/path?mail=a@b", "host/path?mail=a@b")]
    [InlineData("https://CORP\\alice:s3cret@host/a b.png", "https://***@host/a b.png")]
    [InlineData("user:s3cret@127.0.0.1/a//b.png", "***@127.0.0.1/a//b.png")]
    [InlineData("user:s3cret@host/a.png?next=https://x", "***@host/a.png?next=https://x")]
    [InlineData("ftp://user:s3cret@host/x", "ftp://***@host/x")]
    public void User_information_is_hidden_and_nothing_else_changes(string url, string shown)
    {
        Assert.Equal(shown, UrlRules.Redact(url));
    }

    [Fact]
    public void The_options_shown_as_text_hold_no_proxy_password_or_credential()
    {
        var options = new Haul.Engine.HaulOptions
        {
            Proxy = "http://user:proxysecret@127.0.0.1:3128",
            User = new System.Net.NetworkCredential("me", "usersecret"),
            Headers = [new("Authorization", "Bearer headersecret")],
        };

        var text = options.ToString();

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency = 16", text, StringComparison.Ordinal);
    }
}
