using Haul.Engine;
using Haul.Fetching;
using Haul.TestServer;

namespace Haul.Tests.Trust;

/// <summary>Nothing is written outside the output folder, whatever links or special files are planted in it.</summary>
[Collection(NetworkTests.Name)]
public sealed class WriteBoundaryTests
{
    private static Task<HostileServer> StartAsync() => HostileServer.StartAsync(new HostileServerOptions
    {
        FileCount = 2,
        MinFileSize = 10_000,
        MaxFileSize = 10_000,
    });

    [Fact]
    public async Task LinkPlantedAsTheHostFolder_ItemsFailUnsafePathAndNothingLandsOutside()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var hostFolder = TestSupport.SavedPath(output.Path, url).Split("/files/")[0];
        File.CreateSymbolicLink(hostFolder, outside.Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(2, report.Failed);
        Assert.All(report.Failures, f => Assert.Equal(FailureReason.UnsafePath, f.Item.LastReason));
        Assert.All(report.Failures, f => Assert.Contains("symbolic link", f.Item.LastDetail, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Path));
        Assert.Equal(0, server.Counters.Requests);
    }

    [Fact]
    public async Task APathLongerThanTheFileSystemAllows_FailsAsPathTooLongWithThePathCutShort()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);

        // 25 folders of 190 bytes: each name is short enough (no name is shortened), the whole path is over PATH_MAX.
        var longPath = string.Concat(Enumerable.Repeat(new string('a', 190) + "/", 25)) + "x.jpg";
        var input = new Haul.Input.InputBatch();
        input.Requests.Add(new Haul.Input.DownloadRequest(url, longPath));

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), input, null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.PathTooLong, failure.Item.LastReason);
        Assert.Equal("path-too-long", FailureReasons.ToName(failure.Item.LastReason));
        Assert.Contains("longer than the file system allows", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.InRange(failure.Item.LastDetail!.Length, 1, Haul.Text.PrintableText.DefaultMaxLength);
    }

    [Fact]
    public async Task LinkPlantedAsAPathFolder_ItemFailsAndNothingLandsOutside()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var filesFolder = Path.GetDirectoryName(TestSupport.SavedPath(output.Path, url))!;
        Directory.CreateDirectory(Path.GetDirectoryName(filesFolder)!);
        File.CreateSymbolicLink(filesFolder, outside.Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(FailureReason.UnsafePath, Assert.Single(report.Failures).Item.LastReason);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Path));
    }

    [Fact]
    public async Task LinkPlantedAtTheFinalName_ItemFailsAndTheLinkTargetIsUntouched()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var target = Path.Combine(outside.Path, "precious.txt");
        await File.WriteAllTextAsync(target, "precious");
        var url = TestSupport.Url(server, server.Files[0].Path);
        var final = TestSupport.SavedPath(output.Path, url);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        File.CreateSymbolicLink(final, target);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(FailureReason.UnsafePath, Assert.Single(report.Failures).Item.LastReason);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
        Assert.Single(Directory.EnumerateFileSystemEntries(outside.Path));
    }

    [Fact]
    public async Task LinkPlantedAsThePartsFolder_JobRefusedWithOneClearError()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        Directory.CreateDirectory(Path.Combine(output.Path, ".haul"));
        File.CreateSymbolicLink(Path.Combine(output.Path, ".haul", "parts"), outside.Path);

        var error = await Assert.ThrowsAsync<OutputFolderException>(() =>
            DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Path));
    }

    [Fact]
    public async Task LinkPlantedAtAPartFile_RemovedAndTheDownloadWritesItsOwnFile()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var target = Path.Combine(outside.Path, "precious.txt");
        await File.WriteAllTextAsync(target, "precious");
        Directory.CreateDirectory(Path.Combine(output.Path, ".haul", "parts"));

        // Item ids start at 1, so this is where the first item's body would grow.
        File.CreateSymbolicLink(Path.Combine(output.Path, ".haul", "parts", "1.part"), target);
        var url = TestSupport.Url(server, server.Files[0].Path);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
        Assert.Equal(server.Files[0].Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        Assert.Equal(1, Assert.Single(await TestSupport.ReadJournalAsync(output.Path)).Item.Id);
        Assert.False(File.Exists(Path.Combine(output.Path, ".haul", "parts", "1.part")), "the planted link must be gone");
    }

    [Fact]
    public async Task OutputPathInAnEditedJournalThatLeavesTheFolder_FailsThatItemOnly()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var urls = server.FileUrls.ToArray();
        await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(urls[0]), null, CancellationToken.None);
        var escape = Path.GetRelativePath(output.Path, Path.Combine(outside.Path, "pwned")).Replace('\\', '/');
        await TestSupport.ExecuteOnJournalAsync(output.Path, $"UPDATE items SET output_path = '{escape}', state = 0;");

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(urls), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.UnsafePath, failure.Item.LastReason);
        Assert.Contains("leave the output folder", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Equal(1, report.Done);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Path));
    }

    [Theory]
    [InlineData("report.json.tmp")]
    [InlineData("failed.txt.tmp")]
    [InlineData("report.json")]
    public async Task LinkPlantedAtAReportFile_ReplacedAndTheLinkTargetIsUntouched(string name)
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        using var outside = new TempFolder();
        var target = Path.Combine(outside.Path, "precious.txt");
        await File.WriteAllTextAsync(target, "precious");
        File.CreateSymbolicLink(Path.Combine(output.Path, name), target);

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(2, report.Done);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
        Assert.Null(new FileInfo(Path.Combine(output.Path, "report.json")).LinkTarget);
        Assert.Contains("\"done\": 2", await File.ReadAllTextAsync(Path.Combine(output.Path, "report.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FifoAtTheFinalName_ItemFailsInsteadOfHanging()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var final = TestSupport.SavedPath(output.Path, url);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [final]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var job = DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);
        var report = await job.WaitAsync(TimeSpan.FromSeconds(30));

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.UnsafePath, failure.Item.LastReason);
        Assert.Contains("special file", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Equal(1, report.Done);
    }

    [Fact]
    public async Task FileWhereAFolderBelongs_ItemFailsWithAClearReason()
    {
        await using var server = await StartAsync();
        using var output = new TempFolder();
        var url = TestSupport.Url(server, server.Files[0].Path);
        var filesFolder = Path.GetDirectoryName(TestSupport.SavedPath(output.Path, url))!;
        Directory.CreateDirectory(Path.GetDirectoryName(filesFolder)!);
        await File.WriteAllTextAsync(filesFolder, "a file, not a folder");

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(url), null, CancellationToken.None);

        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.UnsafePath, failure.Item.LastReason);
        Assert.Contains("is a file where a folder is needed", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Equal("a file, not a folder", await File.ReadAllTextAsync(filesFolder));
    }
}
