using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.TestServer;
using Haul.Writing;

namespace Haul.Tests.Trust;

/// <summary>"Done" means bytes Haul verified at their final path: foreign files are never adopted unverified, nor destroyed.</summary>
[Collection(NetworkTests.Name)]
public sealed class DoneMeansVerifiedTests
{
    private static Task<HostileServer> StartAsync(int fileCount = 2) => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = fileCount,
        MinFileSize = 20_000,
        MaxFileSize = 60_000,
    });

    private static readonly byte[] Stale = "a stale copy that is not the server's file"u8.ToArray();

    /// <summary>Puts a file Haul did not write where the file of <paramref name="url"/> belongs.</summary>
    private static async Task<string> PlantAsync(string output, Uri url, byte[] content)
    {
        var path = TestSupport.SavedPath(output, url);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, content);
        return path;
    }

    [Fact]
    public async Task ForeignFileAtFinalPath_Default_DownloadedAndTheOldFileKeptAsNumberedBackup()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = await PlantAsync(output.Path, url, Stale);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, server.Counters.RequestsFor(server.Files[0].Path));
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(path));
        Assert.Equal(Stale, await File.ReadAllBytesAsync(path + ".~1~"));
        var backup = Assert.Single(report.Backups);
        Assert.EndsWith(".~1~", backup.BackupPath, StringComparison.Ordinal);
        var json = await File.ReadAllTextAsync(Path.Combine(output.Path, "report.json"));
        Assert.Contains(".~1~", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignFileWithTheSameBytes_DownloadedAndReplacedWithoutBackup()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = TestSupport.SavedPath(output.Path, url);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var client = new HttpClient())
        {
            await File.WriteAllBytesAsync(path, await client.GetByteArrayAsync(url));
        }

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(2, server.Counters.RequestsFor(server.Files[0].Path));
        Assert.Empty(report.Backups);
        Assert.False(File.Exists(path + ".~1~"));
    }

    [Fact]
    public async Task ForeignFile_SkipExisting_TrustedWithoutRequest()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = await PlantAsync(output.Path, url, Stale);
        var options = TestSupport.FastOptions(output.Path) with { ExistingFiles = ExistingFilePolicy.Skip };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(0, server.Counters.RequestsFor(server.Files[0].Path));
        Assert.Equal(Stale, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task ForeignFile_SkipExistingButChecksumGiven_DownloadedBecauseItDoesNotMatch()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = await PlantAsync(output.Path, url, Stale);
        var input = new InputBatch();
        input.Requests.Add(new DownloadRequest(url, ExpectedSha256: server.Files[0].Sha256Hex));
        var options = TestSupport.FastOptions(output.Path) with { ExistingFiles = ExistingFilePolicy.Skip };

        var report = await DownloadJob.RunAsync(options, input, null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(path));
        Assert.True(File.Exists(path + ".~1~"));
    }

    [Fact]
    public async Task ForeignFile_Overwrite_ReplacedWithoutBackup()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = await PlantAsync(output.Path, url, Stale);
        var options = TestSupport.FastOptions(output.Path) with { ExistingFiles = ExistingFilePolicy.Overwrite };

        var report = await DownloadJob.RunAsync(options, TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(path));
        Assert.False(File.Exists(path + ".~1~"));
    }

    [Fact]
    public async Task SecondBackup_GetsTheNextNumber()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var path = await PlantAsync(output.Path, url, Stale);
        await File.WriteAllBytesAsync(path + ".~1~", "older"u8.ToArray());

        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal("older"u8.ToArray(), await File.ReadAllBytesAsync(path + ".~1~"));
        Assert.Equal(Stale, await File.ReadAllBytesAsync(path + ".~2~"));
    }

    [Fact]
    public async Task DoneFileDeletedOrTruncated_FetchedAgainOnRerun()
    {
        await using var server = await StartAsync(3);
        using var output = new TempFolder();
        var urls = server.FileUrls.ToArray();
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(urls), null, CancellationToken.None);
        var deleted = TestSupport.SavedPath(output.Path, urls[0]);
        var truncated = TestSupport.SavedPath(output.Path, urls[1]);
        File.Delete(deleted);
        await using (var stream = new FileStream(truncated, FileMode.Open))
        {
            stream.SetLength(stream.Length / 2);
        }

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(urls), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(deleted));
        Assert.Equal(server.Files[1].Sha256Hex, TestSupport.Sha256OfFile(truncated));
        Assert.Equal(2, server.Counters.RequestsFor(server.Files[0].Path));
        Assert.Equal(2, server.Counters.RequestsFor(server.Files[1].Path));
        Assert.Equal(1, server.Counters.RequestsFor(server.Files[2].Path));
    }

    [Fact]
    public async Task DoneFileOnlyTouched_KeptWithoutRequest()
    {
        await using var server = await StartAsync(1);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);
        File.SetLastWriteTimeUtc(TestSupport.SavedPath(output.Path, url), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal(1, server.Counters.RequestsFor(server.Files[0].Path));
    }

    [Fact]
    public async Task Sha256AddedOnALaterRun_DoneFileCheckedAgainstIt()
    {
        await using var server = await StartAsync(1);
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);
        var input = new InputBatch();
        input.Requests.Add(new DownloadRequest(url, ExpectedSha256: new string('0', 64)));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path) with { MaxAttempts = 2 }, input, null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(Haul.Fetching.FailureReason.ChecksumMismatch, failure.Item.LastReason);
        Assert.Equal(new string('0', 64), failure.Item.ExpectedSha256);
    }

    [Fact]
    public async Task Verify_FindsCorruptedAndMissingFilesAndRequeuesThem()
    {
        await using var server = await StartAsync(3);
        using var output = new TempFolder();
        var urls = server.FileUrls.ToArray();
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(urls), null, CancellationToken.None);
        var corrupted = TestSupport.SavedPath(output.Path, urls[0]);
        var bytes = await File.ReadAllBytesAsync(corrupted);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(corrupted, bytes);
        File.Delete(TestSupport.SavedPath(output.Path, urls[1]));

        var verify = await JobVerifier.VerifyAsync(output.Path, null, CancellationToken.None);

        Assert.Equal(3, verify.Checked);
        Assert.Equal(1, verify.Intact);
        Assert.Equal(2, verify.Problems.Count);
        Assert.Contains(verify.Problems, p => p.Url == urls[0].AbsoluteUri && p.Problem.Contains("SHA-256", StringComparison.Ordinal));
        Assert.Contains(verify.Problems, p => p.Url == urls[1].AbsoluteUri && p.Problem == "missing");
        var journal = await TestSupport.ReadJournalAsync(output.Path);
        Assert.Equal(2, journal.Count(e => e.Item.State == ItemState.Pending));

        // A run without input resumes the job, re-queued items included.
        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), new InputBatch(), null, CancellationToken.None);

        Assert.Equal(3, report.Done);
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(corrupted));
    }
}
