using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Journal;

public sealed class SqliteJobJournalTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static DownloadRequest Request(string url, string? outputPath = null, string? sha = null) => new(new Uri(url), outputPath, sha);

    private static Task<SqliteJobJournal> OpenAsync(TempFolder folder) => SqliteJobJournal.OpenAsync(folder.Path, TimeProvider.System, None);

    [Fact]
    public async Task OpenAsync_CreatesDatabaseInStateFolder()
    {
        using var folder = new TempFolder();

        await using (await OpenAsync(folder))
        {
        }

        Assert.True(File.Exists(SqliteJobJournal.DatabasePath(folder.Path)));
        Assert.Equal(Path.Combine(folder.Path, ".haul", "journal.db"), SqliteJobJournal.DatabasePath(folder.Path));
    }

    [Fact]
    public async Task AddAgainAfterReopen_KeepsDoneItemsAndIdsAndReopensTheRest()
    {
        using var folder = new TempFolder();
        DownloadRequest[] requests = [Request("http://example.com/a.jpg"), Request("http://example.com/b.jpg"), Request("http://example.com/c.jpg")];
        IReadOnlyList<JournalItem> first;
        await using (var journal = await OpenAsync(folder))
        {
            first = (await journal.AddAsync(requests, None)).Items;
            journal.Record(new ItemStarted(first[0].Id));
            journal.Record(new ItemDone(first[0].Id, 123, new string('a', 64)));
            journal.Record(new ItemStarted(first[1].Id));
            journal.Record(new ItemFailed(first[1].Id, FailureReason.NotFound, 404));
        }

        await using (var journal = await OpenAsync(folder))
        {
            var again = (await journal.AddAsync(requests, None)).Items;

            Assert.Equal(first.Select(i => i.Id), again.Select(i => i.Id));
            Assert.Equal([ItemState.Done, ItemState.Pending, ItemState.Pending], again.Select(i => i.State));
            Assert.Equal(123, again[0].Bytes);
            Assert.Equal(new string('a', 64), again[0].Sha256);
            var stored = await journal.ReadItemsAsync(None);
            Assert.Equal([ItemState.Done, ItemState.Pending, ItemState.Pending], stored.Select(i => i.State));
            Assert.Equal(3, stored.Count);
        }
    }

    [Fact]
    public async Task AddAsync_DuplicateUrlsInOneBatch_OneItem()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);

        var items = (await journal.AddAsync([Request("http://example.com/a.jpg"), Request("http://example.com/a.jpg"), Request("http://example.com/b.jpg")], None)).Items;

        Assert.Equal(["http://example.com/a.jpg", "http://example.com/b.jpg"], items.Select(i => i.Url));
    }

    [Fact]
    public async Task TwoUrlsMappingToOnePath_SecondGetsDeterministicHashSuffix()
    {
        const string first = "http://example.com/a%2Fb.jpg";
        const string second = "http://example.com/a_b.jpg";
        const string third = "http://example.com/A_B.jpg";
        var expectedBase = OutputPathMapper.Map(new Uri(second));
        Assert.Equal(expectedBase, OutputPathMapper.Map(new Uri(first)));

        async Task<string[]> PathsAsync()
        {
            using var folder = new TempFolder();
            await using var journal = await OpenAsync(folder);
            var items = (await journal.AddAsync([Request(first), Request(second), Request(third)], None)).Items;
            return [.. items.Select(i => i.OutputPath!)];
        }

        var paths = await PathsAsync();

        Assert.Equal(expectedBase, paths[0]);
        Assert.Equal(OutputPathMapper.AddSuffix(expectedBase, "~" + OutputPathMapper.ShortHash(second)), paths[1]);

        // Names differing only in case collide too, so that a job gives the same files on every file system.
        Assert.Equal(OutputPathMapper.AddSuffix("example.com/A_B.jpg", "~" + OutputPathMapper.ShortHash(new Uri(third).AbsoluteUri)), paths[2]);
        Assert.Equal(3, paths.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(paths, await PathsAsync());
    }

    [Fact]
    public async Task CollisionWithPathFromEarlierRun_ResolvedAgainstStoredPaths()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenAsync(folder))
        {
            await journal.AddAsync([Request("http://example.com/a.jpg", "same.jpg")], None);
        }

        await using (var journal = await OpenAsync(folder))
        {
            var items = (await journal.AddAsync([Request("http://example.com/b.jpg", "same.jpg")], None)).Items;

            Assert.Equal(OutputPathMapper.AddSuffix("same.jpg", "~" + OutputPathMapper.ShortHash("http://example.com/b.jpg")), items[0].OutputPath);
        }
    }

    [Fact]
    public async Task FileWhereAnotherItemNeedsAFolder_FolderOfLaterItemGetsHashSuffix()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);

        var items = (await journal.AddAsync([Request("http://example.com/gallery"), Request("http://example.com/gallery/1.jpg")], None)).Items;

        Assert.Equal("example.com/gallery", items[0].OutputPath);
        Assert.Equal("example.com/gallery~" + OutputPathMapper.ShortHash("http://example.com/gallery/1.jpg") + "/1.jpg", items[1].OutputPath);
    }

    [Fact]
    public async Task FileWhereAnotherItemAlreadyHasAFolder_FileGetsHashSuffix()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenAsync(folder))
        {
            await journal.AddAsync([Request("http://example.com/gallery/1.jpg")], None);
        }

        await using (var journal = await OpenAsync(folder))
        {
            var items = (await journal.AddAsync([Request("http://example.com/GALLERY")], None)).Items;

            Assert.Equal("example.com/GALLERY~" + OutputPathMapper.ShortHash("http://example.com/GALLERY"), items[0].OutputPath);
        }
    }

    [Fact]
    public async Task RecordedUpdates_VisibleAfterFlushAsync()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero));
        await using var journal = await SqliteJobJournal.OpenAsync(folder.Path, time, None);
        var item = ((await journal.AddAsync([Request("http://example.com/a.jpg", sha: new string('b', 64))], None)).Items).Single();
        var attempt = new AttemptRecord(time.GetUtcNow(), TimeSpan.FromMilliseconds(1500), FailureReason.Truncated, 206, 1000, 4000);

        journal.Record(new ItemStarted(item.Id));
        journal.Record(new ValidatorsSeen(item.Id, "\"v1\"", "Sat, 01 Jan 2024 00:00:00 GMT", 10_000));
        journal.Record(new AttemptFinished(item.Id, attempt));
        await journal.FlushAsync(None);

        var stored = Assert.Single(await journal.ReadItemsAsync(None));
        Assert.Equal(ItemState.InProgress, stored.State);
        Assert.Equal(1, stored.Attempts);
        Assert.Equal(FailureReason.Truncated, stored.LastReason);
        Assert.Equal(206, stored.LastStatus);
        Assert.Equal("\"v1\"", stored.ETag);
        Assert.Equal("Sat, 01 Jan 2024 00:00:00 GMT", stored.LastModified);
        Assert.Equal(10_000, stored.TotalSize);
        Assert.Equal(new string('b', 64), stored.ExpectedSha256);
        Assert.Equal([attempt], await journal.ReadAttemptsAsync(item.Id, None));
    }

    [Fact]
    public async Task ItemDone_NotOverwrittenByLaterFailureOrStart()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        var item = ((await journal.AddAsync([Request("http://example.com/a.jpg")], None)).Items).Single();

        journal.Record(new ItemDone(item.Id, 10, new string('c', 64)));
        journal.Record(new ItemFailed(item.Id, FailureReason.NotFound, 404));
        journal.Record(new ItemStarted(item.Id));
        await journal.FlushAsync(None);

        Assert.Equal(ItemState.Done, Assert.Single(await journal.ReadItemsAsync(None)).State);
    }

    [Fact]
    public async Task SecondOpenOnSameFolder_ThrowsJournalLockedUntilFirstIsClosed()
    {
        using var folder = new TempFolder();
        var first = await OpenAsync(folder);
        await using (first)
        {
            await Assert.ThrowsAsync<JournalLockedException>(() => OpenAsync(folder));
        }

        await using var reopened = await OpenAsync(folder);
        Assert.Empty(await reopened.ReadItemsAsync(None));
    }

    [Fact]
    public async Task InProgressItems_BecomePendingOnReopen()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenAsync(folder))
        {
            var items = (await journal.AddAsync([Request("http://example.com/a.jpg"), Request("http://example.com/b.jpg")], None)).Items;
            journal.Record(new ItemStarted(items[0].Id));
            await journal.FlushAsync(None);
            Assert.Equal(ItemState.InProgress, (await journal.ReadItemsAsync(None))[0].State);
        }

        await using (var journal = await OpenAsync(folder))
        {
            Assert.All(await journal.ReadItemsAsync(None), i => Assert.Equal(ItemState.Pending, i.State));
        }
    }

    [Fact]
    public async Task SkippedEntries_StoredWithSourceAndRule()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);

        await journal.AddSkippedAsync([new SkippedInput("ftp://x/y", "list.txt:4", "unsupported scheme 'ftp' (only http and https)")], None);

        Assert.Empty(await journal.ReadItemsAsync(None));
        var entry = Assert.Single(await journal.ReadSkippedAsync(None).ToListAsync());
        Assert.Equal(new SkippedInput("ftp://x/y", "list.txt:4", "unsupported scheme 'ftp' (only http and https)"), entry);
    }

    [Fact]
    public async Task OpenReadOnly_WhileJobHoldsTheLock_ReadsItems()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        await journal.AddAsync([Request("http://example.com/a.jpg")], None);

        await using var reader = await SqliteJobJournal.OpenReadOnlyAsync(folder.Path, None);

        Assert.Equal("http://example.com/a.jpg", Assert.Single(await reader.ReadItemsAsync(None)).Url);
    }
}
