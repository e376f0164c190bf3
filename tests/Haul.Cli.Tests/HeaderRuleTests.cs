using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>One rule for a header given more than once: the last -H of a name wins, and a -H User-Agent wins over -U and --browser.</summary>
public sealed class HeaderRuleTests
{
    [Theory]
    [InlineData("User-Agent", "second", new[] { "-H", "User-Agent: first", "-H", "User-Agent: second" })]
    [InlineData("User-Agent", "from-header", new[] { "-U", "from-option", "-H", "User-Agent: from-header" })]
    [InlineData("User-Agent", "from-header", new[] { "-H", "user-agent: from-header", "-U", "from-option" })]
    [InlineData("User-Agent", "from-header", new[] { "--browser", "firefox", "-H", "User-Agent: from-header" })]
    [InlineData("User-Agent", "from-option", new[] { "-U", "from-option" })]
    [InlineData("X-Token", "2", new[] { "-H", "X-Token: 1", "-H", "x-token: 2" })]
    [InlineData("Accept-Language", "fr", new[] { "-H", "Accept-Language: de", "--browser", "chrome", "-H", "Accept-Language: fr" })]
    public async Task The_last_header_of_a_name_is_the_one_sent(string name, string expected, string[] options)
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var url = server.FileUrls.Single();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", url.AbsoluteUri, "-o", folder.Combine("out"), "--no-progress", .. options]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = server.Counters.Log.Single(r => r.Path == url.AbsolutePath);
        Assert.Equal(expected, request.Header(name));
    }
}
