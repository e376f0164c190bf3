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

    [Fact]
    public async Task Demo_crawls_the_gallery_through_the_fault_mix_and_verifies_every_full_size_image()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo-out");

        var result = await HaulProcess.RunAsync(folder.Path, ["demo", "--pages", "6", "-o", output, "--no-progress"], timeout: TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        var verified = VerifiedImagesLine().Match(result.Stdout);
        Assert.True(verified.Success, result.ToString());
        Assert.Equal(verified.Groups["total"].Value, verified.Groups["ok"].Value);
        Assert.True(int.Parse(verified.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture) > 50, result.Stdout);
        Assert.Equal("0", verified.Groups["wrong"].Value);
        Assert.Contains("the one failure is the gallery's oversized page", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "images.jsonl")), "no images.jsonl");
        Assert.Equal(int.Parse(verified.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture), File.ReadAllLines(Path.Combine(output, "images.jsonl")).Length);
    }

    [Fact]
    public async Task Demo_crawl_run_twice_in_one_folder_replaces_its_own_folder()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo-out");
        string[] args = ["demo", "--pages", "2", "--faults", "none", "-o", output, "--no-progress"];

        var first = await HaulProcess.RunAsync(folder.Path, args, timeout: TimeSpan.FromSeconds(120));
        var second = await HaulProcess.RunAsync(folder.Path, args, timeout: TimeSpan.FromSeconds(120));

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Matches(VerifiedImagesLine(), second.Stdout);
    }

    [GeneratedRegex(@"verified: (?<ok>\d+) of (?<total>\d+) full-size images byte-identical to the server's; (?<wrong>\d+) missing or different")]
    private static partial Regex VerifiedImagesLine();

    [GeneratedRegex(@"verified: (?<ok>\d+) of (?<total>\d+) files byte-identical to the server's; (?<wrong>\d+) missing or different")]
    private static partial Regex VerifiedLine();
}
