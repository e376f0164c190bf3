using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>
/// A disk that fills up, for real: haul runs in a private mount namespace on a 3 MiB tmpfs (unshare maps the test's
/// user to root there, so no privilege is needed and the mount vanishes with the process).
/// </summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task Get_on_a_disk_that_fills_up_exits_1_with_one_line_keeps_finished_files_and_a_rerun_with_space_finishes()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 11,
            FileCount = 4,
            MinFileSize = 100_000,
            MaxFileSize = 100_000,
            ExtraFileSizes = [8L << 20],
        });
        using var folder = new TestFolder();
        var small = server.FileUrls.Where(u => u.AbsolutePath.Contains("/img", StringComparison.Ordinal)).ToList();
        var large = server.FileUrls.Single(u => u.AbsolutePath.Contains("/large", StringComparison.Ordinal));
        var list = folder.Combine("urls.txt");

        // One at a time, small files first: they fit, the large one cannot.
        await File.WriteAllLinesAsync(list, small.Append(large).Select(u => u.AbsoluteUri));
        var disk = folder.Combine("disk");
        var kept = folder.Combine("kept");
        Directory.CreateDirectory(disk);
        string[] launcher =
        [
            "unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t tmpfs -o size=3m tmpfs \"$HAUL_DISK\" || exit 90; \"$@\"; code=$?; cp -a \"$HAUL_DISK/out\" \"$HAUL_KEPT\"; exit $code",
            "sh",
        ];
        Environment.SetEnvironmentVariable("HAUL_DISK", disk);
        Environment.SetEnvironmentVariable("HAUL_KEPT", kept);

        var full = await HaulProcess.RunAsync(
            folder.Path,
            ["get", "-i", list, "-o", Path.Combine(disk, "out"), "-j", "1", "--per-host", "1", "--no-progress"],
            timeout: TimeSpan.FromSeconds(60),
            launcher: launcher);

        Assert.NotEqual(90, full.ExitCode);
        Assert.Equal(1, full.ExitCode);
        var line = Assert.Single(full.StderrLines);
        Assert.Contains("disk is full", line, StringComparison.Ordinal);
        Support.AssertNoStackTrace(full);
        foreach (var url in small)
        {
            await Support.AssertFileMatchesServerAsync(server, kept, url);
        }

        Assert.False(File.Exists(Support.MappedPath(kept, large)), "a file that did not fit must not reach its final name");
        var journal = await Support.ReadJournalAsync(kept);
        Assert.DoesNotContain(journal, row => row.State == JournalRow.Failed);

        // With space again, the same command finishes the job without fetching the finished files again.
        var rerun = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", kept, "--no-progress"], timeout: TimeSpan.FromSeconds(60));

        Assert.Equal(0, rerun.ExitCode);
        await Support.AssertFileMatchesServerAsync(server, kept, large);
        Assert.All(small, url => Assert.Equal(1, server.Counters.CompleteBodiesSentFor(url.AbsolutePath)));
    }
}
