namespace Haul.Cli.Tests;

/// <summary>A password in a list line that is skipped is not echoed, reported or journaled, whatever the line's form.</summary>
public sealed class SkippedCredentialTests
{
    [Theory]
    [InlineData("user:s3cret@127.0.0.1/a.png")]
    [InlineData("https:/user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("http:user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("https:\\\\user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("ftp://user:s3cret@127.0.0.1/a.png")]
    [InlineData("https://user:s3cret@127.0.0.1:9/a b.png")]
    public async Task The_password_of_a_skipped_line_is_nowhere(string line)
    {
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        await File.WriteAllTextAsync(list, line + "\n");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress", "--tries", "1"]);

        Assert.True(result.ExitCode is 1 or 2, result.ToString());
        Assert.DoesNotContain("s3cret", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "report.json")), result.ToString());
        Assert.All(Support.AllFiles(output), f => Assert.DoesNotContain("s3cret", File.ReadAllText(f), StringComparison.Ordinal));
    }
}
