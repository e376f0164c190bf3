using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>Input files that are not what they claim (a device without end, a file of megabytes without a line break) end in one line, not a hang or a crash.</summary>
public sealed class HostileInputFileTests
{
    [Theory]
    [InlineData("--netrc-file", "the netrc file '/dev/zero' is larger than 1048576 characters")]
    [InlineData("--cacert", "the trusted certificate file '/dev/zero' (--cacert) is larger than 4194304 characters")]
    [InlineData("--proxy-list", "/dev/zero:1: longer than 8192 characters")]
    [InlineData("--cookies", "the cookie file '/dev/zero' line 1: longer than 8192 characters")]
    public async Task A_configuration_file_without_end_is_a_one_line_usage_error_naming_it(string option, string expected)
    {
        if (!File.Exists("/dev/zero"))
        {
            return;
        }

        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), option, "/dev/zero"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, Assert.Single(result.StderrLines), StringComparison.Ordinal);
        Support.AssertNoStackTrace(result);
    }

    [Fact]
    public async Task A_netrc_larger_than_its_bound_without_a_line_break_is_refused_naming_the_file()
    {
        using var folder = new TestFolder();
        var netrc = folder.Combine("netrc");
        await File.WriteAllTextAsync(netrc, new string('x', (1 << 20) + 1));

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), "--netrc-file", netrc]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"the netrc file '{netrc}' is larger than", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_url_list_from_dev_zero_is_skipped_as_one_entry_and_the_other_inputs_are_downloaded()
    {
        if (!File.Exists("/dev/zero"))
        {
            return;
        }

        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.Single();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", url.AbsoluteUri, "-i", "/dev/zero", "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        await Support.AssertFileMatchesServerAsync(server, output, url);
        var skipped = Assert.Single(await Support.ReadSkippedAsync(output));
        Assert.Equal("/dev/zero:1", skipped.Source);
        Assert.Contains("binary data (NUL characters)", skipped.Rule, StringComparison.Ordinal);
        Assert.True(skipped.Entry.Length <= 101, skipped.Entry);
    }

    [Fact]
    public async Task A_line_of_megabytes_in_a_url_list_is_skipped_with_its_line_number_and_the_next_lines_are_read()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 2));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var urls = server.FileUrls.ToList();
        var list = folder.Combine("urls.txt");
        await using (var writer = new StreamWriter(list))
        {
            await writer.WriteLineAsync(urls[0].AbsoluteUri);
            await writer.WriteAsync("http://127.0.0.1:9/");
            for (var i = 0; i < 64; i++)
            {
                await writer.WriteAsync(new string('a', 1 << 20));
            }

            await writer.WriteAsync("\r\n");
            await writer.WriteLineAsync(urls[1].AbsoluteUri);
        }

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }

        var skipped = Assert.Single(await Support.ReadSkippedAsync(output));
        Assert.Equal($"{list}:2", skipped.Source);
        Assert.Equal("the line is longer than 65536 characters", skipped.Rule);
        Assert.StartsWith("http://127.0.0.1:9/aaa", skipped.Entry, StringComparison.Ordinal);
        Assert.Contains(result.StderrLines, l => l.Contains($"{list}:2", StringComparison.Ordinal) && l.Length < 400);
    }
}
