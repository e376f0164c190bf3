using Haul.TestServer;

namespace Haul.Cli.Tests;

public sealed class ExitCodeTests
{
    [Fact]
    public async Task Get_with_every_url_downloaded_exits_0_and_writes_a_report_with_the_counts()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 5));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var urls = server.FileUrls.ToList();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. urls.Select(u => u.AbsoluteUri)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("5 done, 0 failed, 0 skipped of 5", result.Stdout, StringComparison.Ordinal);
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }

        using var report = Support.ParseReport(output);
        Assert.Equal(5, report.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(5, report.RootElement.GetProperty("done").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("failures").GetArrayLength());
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(output, "failed.txt")), l => l.StartsWith("http", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_with_some_404s_exits_1_lists_them_in_failed_txt_and_that_file_fed_back_fails_them_again_with_exit_1()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 3));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var good = server.FileUrls.ToList();
        var missing = new[] { new Uri(server.BaseUri, "/status/404/x.jpg"), new Uri(server.BaseUri, "/status/404/y.png") };

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. good.Concat(missing).Select(u => u.AbsoluteUri)]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        foreach (var url in good)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }

        foreach (var url in missing)
        {
            Assert.False(File.Exists(Support.MappedPath(output, url)), $"a file was saved for the 404 at {url}");
        }

        var failedTxt = Path.Combine(output, "failed.txt");
        var listed = File.ReadAllLines(failedTxt).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal(missing.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        using (var report = Support.ParseReport(output))
        {
            Assert.Equal(3, report.RootElement.GetProperty("done").GetInt32());
            Assert.Equal(2, report.RootElement.GetProperty("failed").GetInt32());
            var failures = report.RootElement.GetProperty("failures").EnumerateArray().ToList();
            Assert.Equal(missing.Select(u => u.AbsoluteUri).Order(StringComparer.Ordinal), failures.Select(f => f.GetProperty("url").GetString()).Order(StringComparer.Ordinal));
            Assert.All(failures, f => Assert.Equal(404, f.GetProperty("status").GetInt32()));
        }

        var requestsBefore = missing.Select(u => server.Counters.RequestsFor(u.AbsolutePath)).ToArray();
        var output2 = folder.Combine("out2");

        var again = await HaulProcess.RunAsync(folder.Path, ["get", "-i", failedTxt, "-o", output2, "--no-progress"]);

        Assert.True(again.ExitCode == 1, again.ToString());
        Support.AssertNoStackTrace(again);
        Assert.Contains("0 done, 2 failed, 0 skipped of 2", again.Stdout, StringComparison.Ordinal);
        for (var i = 0; i < missing.Length; i++)
        {
            Assert.True(server.Counters.RequestsFor(missing[i].AbsolutePath) > requestsBefore[i], $"{missing[i]} was not requested again");
        }

        var listedAgain = File.ReadAllLines(Path.Combine(output2, "failed.txt")).Where(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listedAgain.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_with_dash_reads_the_url_list_from_standard_input()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 4));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var urls = server.FileUrls.ToList();
        var stdin = "# from a pipe\n" + string.Join('\n', urls.Select(u => u.AbsoluteUri)) + "\n";

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", "-"], stdin);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }

        Assert.Equal(urls.Count, Support.DownloadedFiles(output).Length);
    }

    [Fact]
    public async Task Status_of_a_finished_job_prints_the_counts_and_exits_0_and_of_a_job_with_failures_exits_1()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 3));
        using var folder = new TestFolder();
        var clean = folder.Combine("clean");
        var failing = folder.Combine("failing");
        var urls = server.FileUrls.Select(u => u.AbsoluteUri).ToList();
        var first = await HaulProcess.RunAsync(folder.Path, ["get", "-o", clean, "--no-progress", .. urls]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = await HaulProcess.RunAsync(folder.Path, ["get", "-o", failing, "--no-progress", .. urls, new Uri(server.BaseUri, "/status/404/x.jpg").AbsoluteUri]);
        Assert.True(second.ExitCode == 1, second.ToString());
        var requests = server.Counters.Requests;

        var cleanStatus = await HaulProcess.RunAsync(folder.Path, ["status", clean]);
        var failingStatus = await HaulProcess.RunAsync(folder.Path, ["status", failing]);

        Assert.True(cleanStatus.ExitCode == 0, cleanStatus.ToString());
        Support.AssertNoStackTrace(cleanStatus);
        Assert.Contains("3 done, 0 failed, 0 skipped of 3", cleanStatus.Stdout, StringComparison.Ordinal);
        Assert.True(failingStatus.ExitCode == 1, failingStatus.ToString());
        Support.AssertNoStackTrace(failingStatus);
        Assert.Contains("3 done, 1 failed, 0 skipped of 4", failingStatus.Stdout, StringComparison.Ordinal);
        Assert.Contains("/status/404/x.jpg", failingStatus.Stdout, StringComparison.Ordinal);
        Assert.Contains($"report: {Path.Combine(clean, "report.json")}", cleanStatus.Stdout, StringComparison.Ordinal);
        Assert.Equal(requests, server.Counters.Requests);

        // A run stopped before it wrote its reports (a full disk): status names no report that is not there.
        File.Delete(Path.Combine(clean, "report.json"));
        var unreported = await HaulProcess.RunAsync(folder.Path, ["status", clean]);
        Assert.Contains("3 done, 0 failed, 0 skipped of 3", unreported.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("report.json", unreported.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_folder_without_a_journal_exits_2_with_one_line_on_stderr()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["status", folder.Path]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("journal", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_a_folder_with_a_corrupt_journal_exits_2_with_one_line_and_no_stack_trace()
    {
        using var folder = new TestFolder();
        Directory.CreateDirectory(folder.Combine(".haul"));
        await File.WriteAllTextAsync(folder.Combine(".haul", "journal.db"), "this is not a database, just text long enough to be read as one");

        var result = await HaulProcess.RunAsync(folder.Path, ["status", folder.Path]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("journal.db", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_exits_0_and_shows_the_commands_and_examples()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("haul get -i urls.txt -o images", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("haul status images", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Get_help_exits_0_and_shows_the_options_examples_and_exit_codes()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("haul get -i urls.txt -o images", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("haul get -i images/failed.txt -o images", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--output", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--read-timeout", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 all done, 1 some failed or nothing to download, 2 usage error", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Get_rerun_on_a_finished_job_requests_nothing_and_exits_0()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 5));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        var urls = server.FileUrls.ToList();
        await File.WriteAllLinesAsync(list, urls.Select(u => u.AbsoluteUri));
        string[] args = ["get", "-i", list, "-o", output, "--no-progress"];
        var first = await HaulProcess.RunAsync(folder.Path, args);
        Assert.True(first.ExitCode == 0, first.ToString());
        var requests = server.Counters.Requests;
        var stamps = urls.ToDictionary(u => u, u => File.GetLastWriteTimeUtc(Support.MappedPath(output, u)));

        var rerun = await HaulProcess.RunAsync(folder.Path, args);

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Support.AssertNoStackTrace(rerun);
        Assert.Equal(requests, server.Counters.Requests);
        Assert.Contains("5 done, 0 failed, 0 skipped of 5", rerun.Stdout, StringComparison.Ordinal);
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
            Assert.Equal(stamps[url], File.GetLastWriteTimeUtc(Support.MappedPath(output, url)));
        }
    }

    [Fact]
    public async Task Get_with_every_input_line_malformed_exits_1_saying_nothing_was_downloaded_and_records_every_skip()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        await File.WriteAllLinesAsync(list, ["not a url", "http//missing-colon", "ftp://127.0.0.1/x"]);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Equal("haul: nothing to download: every input was skipped (see report.json)", result.StderrLines[^1]);
        Assert.Equal(3, result.StderrLines.Count(l => l.Contains("skipped '", StringComparison.Ordinal)));
        using var report = Support.ParseReport(output);
        Assert.Equal(3, report.RootElement.GetProperty("skipped").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("done").GetInt32());
        Assert.Empty(await Support.ReadJournalAsync(output));
        Assert.Equal(3, (await Support.ReadSkippedAsync(output)).Count);
    }
}
