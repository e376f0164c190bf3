using Haul.Crawling;
using Haul.Engine;
using Haul.Identity;

namespace Haul.Tests.Crawling;

public sealed class RobotsProductTokenTests
{
    [Theory]
    [InlineData("otherbot/1.0 (+http://example.org/bot)", "otherbot")]
    [InlineData("OtherBot/2", "OtherBot")]
    [InlineData("otherbot", "otherbot")]
    [InlineData("  \totherbot/1.0", "otherbot")]
    [InlineData("other_bot-x/1", "other_bot-x")]
    [InlineData("otherbot2/1.0", "otherbot")]
    [InlineData("my.bot/1.0", "my")]
    [InlineData("bot;rm -rf /", "bot")]
    [InlineData("Haul/1.0.0", "Haul")]
    [InlineData("Mozillabot/1.0", "Mozillabot")]
    public void The_token_is_the_user_agents_first_product_token(string userAgent, string token) =>
        Assert.Equal(token, RobotsCache.ProductTokenOf(userAgent));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/1.0")]
    [InlineData("123/4.5")]
    [InlineData("*")]
    [InlineData("(compatible; otherbot)")]
    [InlineData("ünïcode/1.0")]
    [InlineData("\u200Botherbot/1.0")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")]
    [InlineData("mozilla/5.0 (compatible; otherbot/1.0)")]
    public void A_user_agent_that_names_no_crawler_is_hauls(string userAgent) =>
        Assert.Equal(RobotsCache.HaulToken, RobotsCache.ProductTokenOf(userAgent));

    [Theory]
    [InlineData("otherbot/1.0 (+http://example.org/bot)")]
    [InlineData("other_bot-x/1")]
    [InlineData("otherbot2/1.0")]
    public void A_user_agent_line_naming_the_whole_user_agent_is_its_group(string userAgent)
    {
        // The token is read by the rule of a User-agent line, so the two always meet.
        var robots = RobotsTxt.Parse("User-agent: *\nAllow: /\n\nUser-agent: " + userAgent + "\nDisallow: /\n");

        Assert.False(robots.For(RobotsCache.ProductTokenOf(userAgent)).IsAllowed(new Uri("http://example.com/x")));
    }

    [Fact]
    public void The_crawl_matches_the_user_agent_it_sends()
    {
        using var client = new HttpClient();
        string TokenOf(HaulOptions options) => new RobotsCache(client, options).ProductToken;

        Assert.Equal("Haul", TokenOf(new HaulOptions()));
        Assert.Equal("otherbot", TokenOf(new HaulOptions { UserAgent = "otherbot/1.0" }));
        Assert.Equal(RobotsCache.HaulToken, TokenOf(new HaulOptions { Browser = Browser.Chrome }));
        Assert.Equal("otherbot", TokenOf(new HaulOptions { Browser = Browser.Firefox, UserAgent = "otherbot/1.0" }));
        Assert.Equal("headerbot", TokenOf(new HaulOptions { UserAgent = "otherbot/1.0", Headers = [new("user-agent", "headerbot/3")] }));
    }
}
