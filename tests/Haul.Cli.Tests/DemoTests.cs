using System.Text.RegularExpressions;

namespace Haul.Cli.Tests;

public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_with_60_files_exits_0_and_verifies_all_62_files_against_the_server()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo-out");

        var result = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "60", "-o", output, "--no-progress"], timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        var verified = VerifiedLine().Match(result.Stdout);
        Assert.True(verified.Success, result.ToString());
        Assert.Equal("62", verified.Groups["ok"].Value);
        Assert.Equal("62", verified.Groups["total"].Value);
        Assert.Equal("0", verified.Groups["wrong"].Value);
        Assert.Contains("62 done, 0 failed, 0 skipped of 62", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(62, Support.DownloadedFiles(output).Length);
    }

    [GeneratedRegex(@"verified: (?<ok>\d+) of (?<total>\d+) files byte-identical to the server's; (?<wrong>\d+) missing or different")]
    private static partial Regex VerifiedLine();
}
