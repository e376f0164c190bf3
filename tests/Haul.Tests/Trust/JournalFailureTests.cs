using Haul.Engine;
using Haul.Journal;
using Haul.TestServer;

namespace Haul.Tests.Trust;

/// <summary>A journal batch that cannot be written stops the job with one clear error, and loses nothing.</summary>
[Collection(NetworkTests.Name)]
public sealed class JournalFailureTests
{
    [Fact]
    public async Task BatchThatCannotBeWritten_StopsTheJob_AndARerunAdoptsWhatWasPlaced()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { FileCount = 20, MinFileSize = 10_000, MaxFileSize = 20_000 });
        using var output = new TempFolder();
        await using (await SqliteJobJournal.OpenAsync(output.Path, TimeProvider.System, CancellationToken.None))
        {
        }

        // A real SQLite failure inside the writer's transaction: recording any item as done aborts the batch.
        await TestSupport.ExecuteOnJournalAsync(output.Path, """
            CREATE TRIGGER refuse_done BEFORE UPDATE OF state ON items WHEN NEW.state = 2
            BEGIN SELECT RAISE(ABORT, 'injected journal failure'); END;
            """);

        var error = await Assert.ThrowsAsync<JournalWriteException>(() =>
            DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None));

        Assert.Contains("injected journal failure", error.Message, StringComparison.Ordinal);
        Assert.Contains("run the same command again", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        var placed = server.FileUrls.Where(u => File.Exists(TestSupport.SavedPath(output.Path, u))).ToList();
        Assert.NotEmpty(placed);

        await TestSupport.ExecuteOnJournalAsync(output.Path, "DROP TRIGGER refuse_done;");
        var requestsBefore = server.Counters.Requests;
        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(server.FileUrls), null, CancellationToken.None);

        Assert.Equal(20, report.Done);
        Assert.Empty(report.Backups);
        Assert.Equal(20 - placed.Count, server.Counters.Requests - requestsBefore);
        foreach (var url in server.FileUrls)
        {
            Assert.Equal(server.GetFile(url.AbsolutePath).Sha256Hex, TestSupport.Sha256OfFile(TestSupport.SavedPath(output.Path, url)));
        }
    }
}
