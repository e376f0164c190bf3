namespace Haul.Cli.Tests;

/// <summary>
/// A password in a list line that is skipped is not echoed, reported or journaled, whatever the line's form and
/// whichever of its fields carries it.
/// </summary>
public sealed class SkippedCredentialTests
{
    [Theory]
    [InlineData("user:s3cret@127.0.0.1/a.png")]
    [InlineData("https:/user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("http:user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("https:\\\\user:s3cret@127.0.0.1:9/a.png")]
    [InlineData("ftp://user:s3cret@127.0.0.1/a.png")]
    [InlineData("https://user:s3cret@127.0.0.1:9/a b.png")]
    [InlineData("https://127.0.0.1:9/a.png\thttps://user:s3cret@127.0.0.1:9/b.png\textra")]
    [InlineData("https://127.0.0.1:9/a.png\tb.png\thttps://user:s3cret@127.0.0.1:9/b.png")]
    [InlineData("https://127.0.0.1:9/a.png\thttps://user:s3cret@127.0.0.1:9/b.png\tsha256=12")]
    [InlineData("https://127.0.0.1:9/a.png\thttps://user:s3cret@127.0.0.1:9/../../b.png")]
    [InlineData("https://127.0.0.1:9/a.png\tb.png\tc.png\t# from https://user:s3cret@127.0.0.1:9/")]
    [InlineData("https://127.0.0.1:9/a.png\tb.png  https://user:s3cret@127.0.0.1:9/\tc.png")]
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

    [Fact]
    public async Task The_password_in_the_second_field_of_a_line_too_long_is_nowhere()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        await File.WriteAllTextAsync(list, "https://127.0.0.1:9/a.png\thttps://user:s3cret@127.0.0.1:9/" + new string('x', 70_000) + "\n");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress", "--tries", "1"]);

        Assert.True(result.ExitCode is 1 or 2, result.ToString());
        Assert.Contains("longer than", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.All(Support.AllFiles(output), f => Assert.DoesNotContain("s3cret", File.ReadAllText(f), StringComparison.Ordinal));
    }
}
