using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>The trust options and commands of the CLI, run as a user would.</summary>
public sealed class TrustTests
{
    private static Task<HostileServer> StartAsync(int files = 3) => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = files,
        MinFileSize = 20_000,
        MaxFileSize = 40_000,
    });

    [Fact]
    public async Task Verify_finds_a_corrupted_file_requeues_it_and_get_without_urls_fetches_it_again()
    {
        await using var server = await StartAsync();
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var urls = server.FileUrls.Select(u => u.AbsoluteUri).ToArray();
        var first = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. urls]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var corrupted = Support.MappedPath(output, server.FileUrls.First());
        await File.WriteAllTextAsync(corrupted, "not the file any more");

        var verify = await HaulProcess.RunAsync(folder.Path, ["verify", output]);

        Assert.True(verify.ExitCode == 1, verify.ToString());
        Assert.Contains("verified 3 done files: 2 intact", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("bytes, ", verify.Stdout, StringComparison.Ordinal);
        var again = await HaulProcess.RunAsync(folder.Path, ["verify", output]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("verified 2 done files: 2 intact", again.Stdout, StringComparison.Ordinal);

        var resume = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress"]);

        Assert.True(resume.ExitCode == 0, resume.ToString());
        await Support.AssertFileMatchesServerAsync(server, output, server.FileUrls.First());
        Assert.Equal("not the file any more", await File.ReadAllTextAsync(corrupted + ".~1~"));
        Assert.Contains("numbered backups", resume.Stdout, StringComparison.Ordinal);
        var clean = await HaulProcess.RunAsync(folder.Path, ["verify", output]);
        Assert.True(clean.ExitCode == 0, clean.ToString());
    }

    [Fact]
    public async Task Verify_on_a_folder_without_a_journal_is_a_usage_error()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["verify", folder.Path]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds no haul journal", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skip_existing_trusts_a_file_already_there_and_overwrite_replaces_it()
    {
        await using var server = await StartAsync(1);
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.Single();
        var path = Support.MappedPath(output, url);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "mine");

        var skip = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", "-nc", url.AbsoluteUri]);

        Assert.True(skip.ExitCode == 0, skip.ToString());
        Assert.Equal("mine", await File.ReadAllTextAsync(path));
        Assert.Equal(0, server.Counters.Requests);

        var both = await HaulProcess.RunAsync(folder.Path, ["get", "-o", folder.Combine("other"), "--skip-existing", "--overwrite", url.AbsoluteUri]);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("contradict", Assert.Single(both.StderrLines), StringComparison.Ordinal);

        var other = folder.Combine("fresh");
        var otherPath = Support.MappedPath(other, url);
        Directory.CreateDirectory(Path.GetDirectoryName(otherPath)!);
        await File.WriteAllTextAsync(otherPath, "mine");
        var overwrite = await HaulProcess.RunAsync(folder.Path, ["get", "-o", other, "--no-progress", "--overwrite", url.AbsoluteUri]);

        Assert.True(overwrite.ExitCode == 0, overwrite.ToString());
        await Support.AssertFileMatchesServerAsync(server, other, url);
        Assert.False(File.Exists(otherPath + ".~1~"));
    }

    [Fact]
    public async Task Verbose_logs_every_attempt_retry_and_reason_to_stderr()
    {
        await using var server = await StartAsync(1);
        using var folder = new TestFolder();
        var url = server.FileUrls.Single();
        server.Script(url.AbsolutePath, FaultKind.ServiceUnavailable);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", folder.Combine("out"), "--verbose", "--retry-delay", "0.05", url.AbsoluteUri]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StderrLines, l => l.StartsWith("haul: ", StringComparison.Ordinal) && l.Contains("attempt service-unavailable (HTTP 503)", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.Contains("retrying after service-unavailable", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.Contains("attempt succeeded", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, l => l.Contains(": done, ", StringComparison.Ordinal));
        Support.AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Duplicate_lines_with_conflicting_fields_are_reported_with_their_line_and_the_first_wins()
    {
        await using var server = await StartAsync(1);
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.Single().AbsoluteUri;
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, [url + "\tfirst.jpg", url + "#fragment\tsecond.jpg", url.Replace("http://", "HTTP://", StringComparison.Ordinal) + "\tfirst.jpg"]);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.Contains($"{list}:2", line, StringComparison.Ordinal);
        Assert.Contains($"duplicate of {list}:1 with a different output path", line, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "first.jpg")));
        Assert.False(File.Exists(Path.Combine(output, "second.jpg")));
        Assert.Equal(1, server.Counters.Requests);
    }

    [Fact]
    public async Task An_io_error_on_one_items_folder_fails_that_item_with_the_os_reason_and_the_job_goes_on()
    {
        await using var healthy = await StartAsync(2);
        await using var blocked = await StartAsync(2);
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var blockedFolder = Path.GetDirectoryName(Path.GetDirectoryName(Support.MappedPath(output, blocked.FileUrls.First()))!)!;
        Directory.CreateDirectory(blockedFolder);

        // A read-only bind mount of the blocked host's folder, in a private mount namespace: EROFS for that host only.
        string[] launcher =
        [
            "unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "mount --bind \"$HAUL_RO\" \"$HAUL_RO\" && mount -o remount,bind,ro \"$HAUL_RO\" || exit 90; \"$@\"",
            "sh",
        ];
        Environment.SetEnvironmentVariable("HAUL_RO", blockedFolder);
        var urls = healthy.FileUrls.Concat(blocked.FileUrls).Select(u => u.AbsoluteUri).ToArray();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. urls], timeout: TimeSpan.FromSeconds(60), launcher: launcher);

        Assert.NotEqual(90, result.ExitCode);
        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("write-error: Read-only file system", result.Stdout, StringComparison.Ordinal);
        foreach (var url in healthy.FileUrls)
        {
            await Support.AssertFileMatchesServerAsync(healthy, output, url);
        }

        using var report = Support.ParseReport(output);
        Assert.Equal(2, report.RootElement.GetProperty("done").GetInt32());
        Assert.Equal(2, report.RootElement.GetProperty("failed").GetInt32());
        Assert.All(report.RootElement.GetProperty("failures").EnumerateArray(), f => Assert.Equal("Read-only file system", f.GetProperty("detail").GetString()));
    }
}
