using System.Globalization;
using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>The job's cookie jar through the real CLI: kept across a kill -9, never sent to another host, imported from cookies.txt.</summary>
public sealed class CookieTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_job_resumed_after_sigkill_sends_the_cookies_it_had_and_a_redirect_to_another_host_does_not_carry_them()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 8,
            FileCount = 5,
            MinFileSize = 1024,
            MaxFileSize = 4096,
            StallDuration = TimeSpan.FromSeconds(120),
        });
        var files = server.FileUrls.ToArray();
        server.Script(files[1].AbsolutePath, FaultKind.Stall);
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");

        // The first item's redirect hop sets a session cookie and a persistent one; the second stalls until the kill;
        // the last leads to another host (localhost, the same server under another name).
        var setter = new Uri(server.BaseUri, "/cookies/set?c=" + Uri.EscapeDataString("sid=abc; Path=/; HttpOnly")
            + "&c=" + Uri.EscapeDataString("pref=1; Max-Age=3600; Path=/") + "&then=" + Uri.EscapeDataString(files[0].AbsolutePath));
        var otherHost = new Uri($"http://localhost:{server.BaseUri.Port.ToString(CultureInfo.InvariantCulture)}{files[4].AbsolutePath}");
        var redirect = new Uri(server.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(otherHost.AbsoluteUri));
        await File.WriteAllLinesAsync(list, [setter.AbsoluteUri, files[1].AbsoluteUri, files[2].AbsoluteUri, files[3].AbsoluteUri, redirect.AbsoluteUri]);
        string[] args = ["get", "-i", list, "-o", output, "-j", "1", "--per-host", "1", "--no-progress", "--read-timeout", "100"];

        int seenBeforeKill;
        await using (var first = await HaulProcess.StartAsync(folder.Path, args))
        {
            await WaitUntilAsync(() => server.Counters.Log.Any(r => r.Path == files[1].AbsolutePath), "the stalled file was never requested");
            await WaitUntilAsync(async () => (await CookieNamesAsync(output)).Count == 2, "the cookies never reached the journal");
            var killed = await first.KillAsync();
            Assert.Equal(137, killed.ExitCode);
            seenBeforeKill = server.Counters.Log.Count;
        }

        Assert.Null(server.Counters.Log.First(r => r.Path == "/cookies/set").Cookie);
        Assert.Equal("sid=abc; pref=1", server.Counters.Log.First(r => r.Path == files[0].AbsolutePath).Cookie);

        var rerun = await HaulProcess.RunAsync(folder.Path, args, timeout: TimeSpan.FromSeconds(60));

        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        var afterResume = server.Counters.Log.Skip(seenBeforeKill).ToList();
        var toOrigin = afterResume.Where(r => r.Header("Host")?.StartsWith("127.0.0.1:", StringComparison.Ordinal) == true).ToList();
        Assert.Contains(toOrigin, r => r.Path == files[1].AbsolutePath);
        Assert.Contains(toOrigin, r => r.Path == "/redirect-to");
        Assert.All(toOrigin, r => Assert.Equal("sid=abc; pref=1", r.Cookie));
        var toOtherHost = Assert.Single(afterResume, r => r.Header("Host")?.StartsWith("localhost:", StringComparison.Ordinal) == true);
        Assert.Equal(files[4].AbsolutePath, toOtherHost.Path);
        Assert.Null(toOtherHost.Cookie);
    }

    [Fact]
    public async Task A_cookies_txt_import_is_sent_to_its_domain_only()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 9, FileCount = 2, MinFileSize = 1024, MaxFileSize = 2048 });
        var files = server.FileUrls.ToArray();
        using var folder = new TestFolder();
        var cookies = folder.Combine("cookies.txt");
        await File.WriteAllTextAsync(cookies, """
            # Netscape HTTP Cookie File
            #HttpOnly_127.0.0.1	FALSE	/	FALSE	0	sid	imported
            .example.com	TRUE	/	FALSE	4102444800	elsewhere	no

            """);
        var otherHost = new Uri($"http://localhost:{server.BaseUri.Port.ToString(CultureInfo.InvariantCulture)}{files[1].AbsolutePath}");
        var redirect = new Uri(server.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(otherHost.AbsoluteUri));

        var result = await HaulProcess.RunAsync(folder.Path, ["get", files[0].AbsoluteUri, redirect.AbsoluteUri, "-o", folder.Combine("out"), "--no-progress", "--cookies", cookies]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("sid=imported", server.Counters.Log.Single(r => r.Path == files[0].AbsolutePath).Cookie);
        Assert.Equal("sid=imported", server.Counters.Log.Single(r => r.Path == "/redirect-to").Cookie);
        Assert.Null(server.Counters.Log.Single(r => r.Path == files[1].AbsolutePath).Cookie);
    }

    [Fact]
    public async Task On_unix_the_journal_that_keeps_the_cookies_is_readable_by_its_owner_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 9, FileCount = 1, MinFileSize = 1024, MaxFileSize = 2048 });
        var setter = new Uri(server.BaseUri, "/cookies/set?c=" + Uri.EscapeDataString("sid=abc; Max-Age=3600; Path=/") + "&then=" + Uri.EscapeDataString(server.FileUrls.Single().AbsolutePath));
        using var folder = new TestFolder();
        var output = folder.Combine("out");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", setter.AbsoluteUri, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(await Support.QueryJournalAsync(output, "SELECT name FROM cookies;", r => r.GetString(0)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(output, ".haul")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(output, ".haul", "journal.db")));
    }

    [Fact]
    public async Task A_cookies_txt_beyond_the_jars_bounds_is_imported_in_part_with_one_warning_and_its_first_cookies_are_sent()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 9, FileCount = 1, MinFileSize = 1024, MaxFileSize = 2048 });
        var file = server.FileUrls.Single();
        using var folder = new TestFolder();
        var cookies = folder.Combine("cookies.txt");
        await using (var writer = new StreamWriter(cookies))
        {
            // 300 cookies for the server's host (120 past the per-domain bound), then 100,000 for other domains.
            for (var i = 0; i < 300; i++)
            {
                await writer.WriteLineAsync($"127.0.0.1\tFALSE\t/\tFALSE\t0\tc{i}\tv");
            }

            for (var i = 0; i < 100_000; i++)
            {
                await writer.WriteLineAsync($".d{i % 5000}.example\tTRUE\t/\tFALSE\t4102444800\tn{i}\tv");
            }
        }

        var result = await HaulProcess.RunAsync(folder.Path, ["get", file.AbsoluteUri, "-o", folder.Combine("out"), "--no-progress", "--cookies", cookies]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var warning = Assert.Single(result.StderrLines, l => l.Contains("warning", StringComparison.Ordinal));
        Assert.Contains($"the cookie file '{cookies}' holds more cookies than a jar keeps (180 a domain, 3000 in all): {100_300 - 3000} left out", warning, StringComparison.Ordinal);
        var sent = server.Counters.Log.Single(r => r.Path == file.AbsolutePath).Cookie!.Split("; ");
        Assert.Equal(Enumerable.Range(0, 180).Select(i => $"c{i}=v").Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1\tFALSE\t/\tFALSE\tsoon\tsid\tv\n", "line 2: the expiry 'soon'")]
    [InlineData("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\n", "line 2: expected 7 tab-separated fields")]
    public async Task A_malformed_cookie_file_is_a_one_line_usage_error_naming_file_and_line(string line, string expected)
    {
        using var folder = new TestFolder();
        var cookies = folder.Combine("cookies.txt");
        await File.WriteAllTextAsync(cookies, "# Netscape HTTP Cookie File\n" + line);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), "--cookies", cookies]);

        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.StderrLines);
        Assert.Contains($"'{cookies}' {expected}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_cookie_file_is_a_one_line_usage_error()
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), "--cookies", folder.Combine("none.txt")]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("cannot be read", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<string>> CookieNamesAsync(string output)
    {
        try
        {
            return await Support.QueryJournalAsync(output, "SELECT name FROM cookies;", reader => reader.GetString(0));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // No cookies table yet: the schema is being made.
            return [];
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string failure) => WaitUntilAsync(() => Task.FromResult(condition()), failure);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }
}
