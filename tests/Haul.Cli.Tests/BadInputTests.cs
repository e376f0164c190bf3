using Haul.TestServer;

namespace Haul.Cli.Tests;

public sealed class BadInputTests
{
    [Fact]
    public async Task Get_with_malformed_lines_in_the_list_reports_each_with_file_and_line_skips_it_and_downloads_the_valid_ones_with_exit_0()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 3));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        var urls = server.FileUrls.ToList();
        await File.WriteAllLinesAsync(list,
        [
            "# a comment",
            urls[0].AbsoluteUri,
            "not a url",
            "http//missing-colon",
            urls[1].AbsoluteUri,
            "://x",
            string.Empty,
            urls[2].AbsoluteUri,
        ]);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        var malformed = new[] { (Line: 3, Text: "not a url"), (Line: 4, Text: "http//missing-colon"), (Line: 6, Text: "://x") };
        foreach (var (line, text) in malformed)
        {
            Assert.Contains(result.StderrLines, l => l.Contains($"{list}:{line}", StringComparison.Ordinal) && l.Contains($"'{text}'", StringComparison.Ordinal));
        }

        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }

        Assert.Equal(3, Support.DownloadedFiles(output).Length);
        using var report = Support.ParseReport(output);
        Assert.Equal(3, report.RootElement.GetProperty("done").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(3, report.RootElement.GetProperty("skipped").GetInt32());
        var skipped = report.RootElement.GetProperty("skippedEntries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("entry").GetString()!, e => e.GetProperty("rule").GetString()!);
        var sources = report.RootElement.GetProperty("skippedEntries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("entry").GetString()!, e => e.GetProperty("source").GetString()!);
        Assert.Equal(malformed.Select(m => m.Text).Order(StringComparer.Ordinal), skipped.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("white space", skipped["not a url"], StringComparison.Ordinal);
        Assert.Contains("no scheme", skipped["http//missing-colon"], StringComparison.Ordinal);
        Assert.Contains("malformed URL", skipped["://x"], StringComparison.Ordinal);
        foreach (var (line, text) in malformed)
        {
            Assert.Equal($"{list}:{line}", sources[text]);
        }
    }

    [Fact]
    public async Task Get_with_file_javascript_and_ftp_urls_rejects_each_naming_its_scheme_and_writes_nothing_outside_the_output_folder()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var valid = server.FileUrls.Single();
        string[] rejected = ["file:///etc/passwd", "javascript:alert(1)", $"ftp://127.0.0.1:{server.Port}/x"];

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. rejected, valid.AbsoluteUri]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        foreach (var (url, scheme) in rejected.Zip(new[] { "file", "javascript", "ftp" }))
        {
            Assert.Contains(result.StderrLines, l => l.Contains($"'{url}'", StringComparison.Ordinal) && l.Contains($"unsupported scheme '{scheme}'", StringComparison.Ordinal));
        }

        await Support.AssertFileMatchesServerAsync(server, output, valid);
        Assert.Equal([Support.MappedPath(output, valid)], Support.DownloadedFiles(output));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
        Assert.Equal(1, server.Counters.Requests);
        var skipped = await Support.ReadSkippedAsync(output);
        Assert.Equal(rejected.Order(StringComparer.Ordinal), skipped.Select(r => r.Entry).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_with_dot_dot_and_encoded_separators_in_url_paths_writes_every_file_inside_the_output_folder()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        // Deep, so that a path escaping by a few levels would land in a folder this test can see.
        var output = folder.Combine("a", "b", "out");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var baseUrl = server.BaseUri.AbsoluteUri.TrimEnd('/');
        string[] paths =
        [
            $"/status/200/x/../esc1-{tag}.txt",
            $"/status/200/..%2f..%2f..%2f..%2f..%2f..%2fesc2-{tag}.txt",
            $"/status/200/a/b/c/d/e/f/g/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/esc3-{tag}.txt",
            $"/status/200/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fesc4-{tag}.txt",
            $"/status/200/..%5c..%5c..%5c..%5c..%5cesc5-{tag}.txt",
            $"/status/200/%2E%2E%5C%2E%2E%5C%2E%2E%5Cesc6-{tag}.txt",
            $"/status/200/%2fetc%2fesc7-{tag}.txt",
        ];
        var urls = paths.Select(p => baseUrl + p).ToArray();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", .. urls]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        var outputPrefix = output + Path.DirectorySeparatorChar;
        var everyFile = Support.AllFiles(folder.Path);
        Assert.All(everyFile, f => Assert.StartsWith(outputPrefix, f, StringComparison.Ordinal));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(folder.Combine("a", "b")).Select(Path.GetFileName));
        Assert.Equal(["b"], Directory.GetFileSystemEntries(folder.Combine("a")).Select(Path.GetFileName));
        Assert.Equal(["a"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));

        // Every URL was answered and saved, each to its own file inside the folder.
        var downloaded = Support.DownloadedFiles(output);
        Assert.Equal(urls.Length, downloaded.Length);
        for (var i = 1; i <= urls.Length; i++)
        {
            Assert.Single(downloaded, f => Path.GetFileName(f).Contains($"esc{i}-{tag}", StringComparison.Ordinal));
        }

        foreach (var place in new[] { Path.GetTempPath(), "/", "/etc", folder.Path })
        {
            Assert.Empty(Directory.GetFiles(place, $"esc*-{tag}.txt"));
        }
    }

    [Fact]
    public async Task Get_with_an_output_folder_below_a_regular_file_exits_2_with_one_line_on_stderr()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var regularFile = folder.Combine("a-file");
        await File.WriteAllTextAsync(regularFile, "not a folder");
        var output = Path.Combine(regularFile, "sub");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("haul: ", line, StringComparison.Ordinal);
        Assert.Contains(output, line, StringComparison.Ordinal);
        Assert.Equal(0, server.Counters.Requests);
        Assert.Equal("not a folder", await File.ReadAllTextAsync(regularFile));
    }

    [Fact]
    public async Task Get_on_an_output_folder_whose_journal_lock_is_held_exits_2_with_one_line_naming_the_lock()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        Directory.CreateDirectory(Path.Combine(output, ".haul"));
        await using (new FileStream(Path.Combine(output, ".haul", "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", server.FileUrls.Single().AbsoluteUri]);

            Assert.True(result.ExitCode == 2, result.ToString());
            Support.AssertNoStackTrace(result);
            var line = Assert.Single(result.StderrLines);
            Assert.Contains("locked", line, StringComparison.Ordinal);
            Assert.Equal(0, server.Counters.Requests);
        }

        Assert.Empty(Support.DownloadedFiles(output));
    }

    [Fact]
    public async Task Get_with_an_unknown_option_exits_2_naming_the_option()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--no-such-option", "-o", "out", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("--no-such-option", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task Get_without_any_url_exits_2_with_one_line_on_stderr()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", "out", "--no-progress"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains("no URLs", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Get_with_an_empty_url_file_exits_2()
    {
        using var folder = new TestFolder();
        var list = folder.Combine("empty.txt");
        await File.WriteAllTextAsync(list, "# nothing here\n\n");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", "out", "--no-progress"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("no URLs", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_with_a_missing_url_file_exits_2_with_one_line_naming_it()
    {
        using var folder = new TestFolder();
        var list = folder.Combine("missing.txt");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", "out", "--no-progress"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains(list, Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-m", "99999999999", "--max-time")]
    [InlineData("--connect-timeout", "1e9", "--connect-timeout")]
    [InlineData("--read-timeout", "nan", "--read-timeout")]
    [InlineData("--header-timeout", "Infinity", "--header-timeout")]
    [InlineData("--retry-delay", "-1", "--retry-delay")]
    [InlineData("--wait", "-1", "--wait")]
    [InlineData("--max-rate", "-2", "--max-rate")]
    [InlineData("--retry-max-delay", "86401", "--retry-max-delay")]
    [InlineData("-j", "0", "--jobs")]
    [InlineData("-j", "100000", "--jobs")]
    [InlineData("--per-host", "1001", "--per-host")]
    [InlineData("--tries", "0", "--tries")]
    [InlineData("--max-redirs", "101", "--max-redirs")]
    [InlineData("--speed-limit", "-1", "--speed-limit")]
    public async Task Get_with_a_number_out_of_range_exits_2_with_one_line_naming_the_option_and_its_range(string option, string value, string name)
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", option, value, "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith($"haul: {name} {value} is out of range (", line, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(0, server.Counters.Requests);
    }

    [Theory]
    [InlineData(new[] { "--wait", "60", "-m", "30" }, "haul: --wait 60 is not less than --max-time 30, which counts waits")]
    [InlineData(new[] { "-w", "30", "--max-time", "30" }, "haul: --wait 30 is not less than --max-time 30")]
    [InlineData(new[] { "-w", "25", "--random-wait", "-m", "30" }, "haul: --wait 25 with --random-wait (up to 37.5 s) is not less than --max-time 30")]
    [InlineData(new[] { "--max-rate", "0.01", "-m", "30" }, "haul: --max-rate 0.01 (a wait of 100 s) is not less than --max-time 30")]
    [InlineData(new[] { "-w", "3600" }, "haul: --wait 3600 is not less than --max-time 1800")]
    public async Task A_wait_as_long_as_the_max_time_exits_2_naming_both_rather_than_failing_every_retried_item(string[] options, string expected)
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", .. options, "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.EndsWith("every item that needs a retry would run out of time; lower the wait or raise --max-time", line, StringComparison.Ordinal);
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task A_wait_shorter_than_the_max_time_is_accepted()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-w", "29", "--random-wait", "-m", "44", "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 0, result.ToString());
        await Support.AssertFileMatchesServerAsync(server, folder.Combine("out"), server.FileUrls.Single());
    }

    [Fact]
    public async Task Get_with_a_retry_delay_above_the_retry_max_delay_exits_2_naming_both()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--retry-delay", "90", "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Equal("haul: --retry-delay 90 is more than --retry-max-delay 60", Assert.Single(result.StderrLines));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task Get_with_the_largest_times_allowed_is_accepted()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.Single();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-m", "2592000", "--connect-timeout", "2592000", "--read-timeout", "2592000", "--retry-max-delay", "86400", "-o", output, "--no-progress", url.AbsoluteUri]);

        Assert.True(result.ExitCode == 0, result.ToString());
        await Support.AssertFileMatchesServerAsync(server, output, url);
    }

    [Theory]
    [InlineData("X-Test: a\r\nEvil: 1", @"X-Test: a\r\nEvil: 1")]
    [InlineData("X-Test: a\nEvil: 1", @"X-Test: a\nEvil: 1")]
    [InlineData("X-Test: a\rb", @"X-Test: a\rb")]
    public async Task Get_with_cr_or_lf_in_a_header_exits_2_with_one_line_and_sends_nothing(string header, string shown)
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-H", header, "-o", "out", "--no-progress", server.FileUrls.Single().AbsoluteUri]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Equal($"haul: header '{shown}' contains CR, LF or NUL", Assert.Single(result.StderrLines));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task Get_with_a_list_file_given_as_an_argument_exits_2_suggesting_dash_i()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        using var folder = new TestFolder();
        await File.WriteAllLinesAsync(folder.Combine("urls.txt"), [server.FileUrls.Single().AbsoluteUri]);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "urls.txt", "-o", "out", "--no-progress"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Equal("haul: 'urls.txt' is a file; did you mean -i urls.txt?", Assert.Single(result.StderrLines));
        Assert.Equal(["urls.txt"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
        Assert.Equal(0, server.Counters.Requests);
    }
}
