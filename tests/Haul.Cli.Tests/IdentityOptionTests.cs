namespace Haul.Cli.Tests;

/// <summary>Usage errors of the identity options: one line, exit 2, before any request.</summary>
public sealed class IdentityOptionTests
{
    [Theory]
    [InlineData("--browser", "opera", "--browser 'opera' is not one of chrome, firefox, safari")]
    [InlineData("--browser", "1", "--browser '1' is not one of chrome, firefox, safari")]
    [InlineData("--no-cookies", "--cookies=c.txt", "--cookies and --no-cookies contradict each other")]
    public async Task A_bad_identity_option_is_a_one_line_usage_error(string option, string value, string expected)
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), option, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crawl_takes_the_identity_options_too()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["crawl", "http://127.0.0.1:9/", "-o", folder.Combine("out"), "--browser", "netscape"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--browser 'netscape'", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }
}
