using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary><c>haul demo</c> replaces only a folder it made itself, and only while no other haul works there.</summary>
public sealed class DemoFolderTests
{
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Demo_on_the_folder_of_a_finished_get_job_exits_2_with_one_line_and_deletes_nothing()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 3));
        using var folder = new TestFolder();
        var job = folder.Combine("job");
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-o", job, "--no-progress", .. server.FileUrls.Select(u => u.AbsoluteUri)]);
        Assert.True(get.ExitCode == 0, get.ToString());
        var before = await SnapshotAsync(job);
        Assert.Contains(Path.Combine(".haul", "journal.db"), before.Keys);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", job, "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        var line = Assert.Single(demo.StderrLines);
        Assert.Contains("not a demo's folder", line, StringComparison.Ordinal);
        Assert.Contains(job, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Hostile server", demo.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(job));
        foreach (var url in server.FileUrls)
        {
            await Support.AssertFileMatchesServerAsync(server, job, url);
        }
    }

    [Fact]
    public async Task Demo_on_the_folder_of_a_running_get_exits_2_deletes_nothing_and_the_get_finishes()
    {
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 4));
        var urls = server.FileUrls.ToList();

        // The first file stalls once: the get runs at least --read-timeout seconds, long enough to run a demo against it
        // even on a busy machine, where starting the demo's process alone may take seconds.
        server.Script(urls[0].AbsolutePath, FaultKind.Stall);
        using var folder = new TestFolder();
        var job = folder.Combine("job");
        await using var get = await HaulProcess.StartAsync(folder.Path,
            ["get", "-o", job, "--no-progress", "-j", "4", "--read-timeout", "15", "--retry-delay", "0.1", "--retry-max-delay", "0.2", .. urls.Select(u => u.AbsoluteUri)]);
        var journal = Path.Combine(job, ".haul", "journal.db");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(File.Exists(journal) && Support.DownloadedFiles(job).Length == urls.Count - 1))
        {
            Assert.True(DateTime.UtcNow < deadline && !get.HasExited, "the get did not reach the stalled file in time");
            await Task.Delay(50);
        }

        var before = await SnapshotAsync(job, includeParts: false);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", job, "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        Assert.Contains("not a demo's folder", Assert.Single(demo.StderrLines), StringComparison.Ordinal);
        Assert.False(get.HasExited, "the get ended before the demo was refused; the test proved nothing about a running job");
        var after = await SnapshotAsync(job, includeParts: false);
        foreach (var (path, content) in before.Where(p => !p.Key.EndsWith("journal.db-wal", StringComparison.Ordinal) && !p.Key.EndsWith("journal.db-shm", StringComparison.Ordinal)))
        {
            Assert.True(after.ContainsKey(path), $"{path} was deleted");
            if (!path.StartsWith(".haul", StringComparison.Ordinal))
            {
                Assert.Equal(content, after[path]);
            }
        }

        var finished = await get.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(finished.ExitCode == 0, finished.ToString());
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, job, url);
        }

        Assert.All(await Support.ReadJournalAsync(job), row => Assert.Equal(JournalRow.Done, row.State));
    }

    [Fact]
    public async Task Demo_on_a_folder_with_a_user_file_exits_2_and_keeps_the_file()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("mine");
        Directory.CreateDirectory(output);
        var userFile = Path.Combine(output, "notes.txt");
        await File.WriteAllTextAsync(userFile, "precious");

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", output, "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        Assert.Contains("is not empty", Assert.Single(demo.StderrLines), StringComparison.Ordinal);
        Assert.Equal([userFile], Directory.GetFileSystemEntries(output));
        Assert.Equal("precious", await File.ReadAllTextAsync(userFile));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("100001")]
    public async Task Demo_with_a_file_count_out_of_range_exits_2_with_one_line_and_creates_nothing(string count)
    {
        using var folder = new TestFolder();

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", count, "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        Assert.StartsWith($"haul: --files {count} is out of range", Assert.Single(demo.StderrLines), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public async Task Demo_on_a_path_that_is_a_file_exits_2_and_keeps_the_file()
    {
        using var folder = new TestFolder();
        var file = folder.Combine("a-file");
        await File.WriteAllTextAsync(file, "precious");

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", file, "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        Assert.Contains("is a file", Assert.Single(demo.StderrLines), StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Demo_reuses_its_own_folder_is_refused_while_its_lock_is_held_and_never_follows_links()
    {
        using var folder = new TestFolder();

        // The default folder, haul-demo, is the demo's own.
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());
        var output = folder.Combine("haul-demo");
        Assert.True(File.Exists(Path.Combine(output, ".haul", "demo")), "the demo did not mark its folder");
        Assert.Equal(22, Support.DownloadedFiles(output).Length);

        // Things the next demo must remove as links, never by following them.
        var outside = folder.Combine("outside");
        Directory.CreateDirectory(outside);
        var outsideFile = Path.Combine(outside, "kept.txt");
        await File.WriteAllTextAsync(outsideFile, "outside");
        Directory.CreateSymbolicLink(Path.Combine(output, ".haul", "parts", "folder-link"), outside);

        // A symbolic link to the demo's folder is not the demo's folder.
        var linkToOutput = folder.Combine("link-to-demo");
        Directory.CreateSymbolicLink(linkToOutput, output);
        var throughLink = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", linkToOutput, "--no-progress"], timeout: DemoTimeout);
        Assert.True(throughLink.ExitCode == 2, throughLink.ToString());
        Assert.Contains("symbolic link", Assert.Single(throughLink.StderrLines), StringComparison.Ordinal);

        var before = await SnapshotAsync(output);
        await using (new FileStream(Path.Combine(output, ".haul", "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var locked = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", "haul-demo", "--no-progress"], timeout: DemoTimeout);

            Assert.True(locked.ExitCode == 2, locked.ToString());
            Support.AssertNoStackTrace(locked);
            Assert.Contains("lock", Assert.Single(locked.StderrLines), StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync(output));

        // Entries no demo makes, at the top of its folder, are the user's: the demo refuses and deletes nothing.
        File.CreateSymbolicLink(Path.Combine(output, "file-link"), outsideFile);
        Directory.CreateSymbolicLink(Path.Combine(output, "folder-link"), outside);
        await File.WriteAllTextAsync(Path.Combine(output, "leftover.txt"), "from the first demo's time");
        before = await SnapshotAsync(output);
        var foreign = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", "haul-demo", "--no-progress"], timeout: DemoTimeout);
        Assert.True(foreign.ExitCode == 2, foreign.ToString());
        Assert.Contains("which the demo did not write", Assert.Single(foreign.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(output));
        File.Delete(Path.Combine(output, "file-link"));
        Directory.Delete(Path.Combine(output, "folder-link"));
        File.Delete(Path.Combine(output, "leftover.txt"));

        // Without them, the demo replaces its folder; a link planted in its state folder goes as a link.
        var second = await HaulProcess.RunAsync(folder.Path, ["demo", "--files", "20", "-o", "haul-demo", "--no-progress"], timeout: DemoTimeout);

        Assert.True(second.ExitCode == 0, second.ToString());
        Support.AssertNoStackTrace(second);
        Assert.Contains("verified: 22 of 22 files", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(22, Support.DownloadedFiles(output).Length);
        Assert.True(File.Exists(Path.Combine(output, ".haul", "demo")), "the demo's folder lost its mark");
        foreach (var gone in new[] { "file-link", "folder-link", "leftover.txt", Path.Combine(".haul", "parts", "folder-link") })
        {
            Assert.False(Path.Exists(Path.Combine(output, gone)) || new FileInfo(Path.Combine(output, gone)).LinkTarget is not null, $"{gone} is still there");
        }

        Assert.Equal(["kept.txt"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal("outside", await File.ReadAllTextAsync(outsideFile));
        Assert.Equal(output, new DirectoryInfo(linkToOutput).LinkTarget);
    }

    /// <summary>Every regular file under <paramref name="root"/> (links not followed) by relative path, with its SHA-256 (the lock file's presence only).</summary>
    internal static async Task<SortedDictionary<string, string>> SnapshotAsync(string root, bool includeParts = true)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            var relative = Path.GetRelativePath(root, file);
            if (includeParts || !relative.StartsWith(Path.Combine(".haul", "parts"), StringComparison.Ordinal))
            {
                // The lock file is empty, and a running job holds it: it cannot be opened to be hashed.
                snapshot[relative] = Path.GetFileName(file) == "lock" ? "present" : await Support.Sha256OfFileAsync(file);
            }
        }

        return snapshot;
    }
}
