using Haul.Fetching;
using Haul.Identity;
using Haul.Input;
using Haul.Journal;
using Haul.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Journal;

/// <summary>
/// The journal contract: what every <see cref="IJobJournal"/> does, run against each journal by a derived class. A test
/// opens the job of a folder (<see cref="OpenAsync"/>); opening it again is a new run of the same job.
/// </summary>
public abstract partial class JobJournalContract : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Opens the job that <paramref name="folder"/> stands for (a new run of it when it exists).</summary>
    private protected abstract Task<IJobJournal> OpenAsync(TempFolder folder, TimeProvider? time = null);

    private static DownloadRequest Request(string url, string? outputPath = null, string? sha = null) => new(new Uri(url), outputPath, sha);

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
        await using var journal = await OpenAsync(folder, time);
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
    public async Task CookiesWrittenThrough_AreReadBackAfterReopening_SessionCookiesIncluded_DeletedOnesNot()
    {
        using var folder = new TempFolder();
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var session = new StoredCookie("sid", "abc", "127.0.0.1", "/", HostOnly: true, Secure: false, HttpOnly: true, null, created);
        var persistent = new StoredCookie("pref", "x=1", "example.com", "/app", HostOnly: false, Secure: true, HttpOnly: false, created.AddDays(30), created.AddSeconds(1));
        var gone = session with { Name = "gone" };
        await using (var journal = await OpenAsync(folder))
        {
            journal.Record(new CookieStored(session with { Value = "old" }));
            journal.Record(new CookieStored(session));
            journal.Record(new CookieStored(persistent));
            journal.Record(new CookieStored(gone));
            journal.Record(new CookieDeleted(gone.Domain, gone.Path, gone.Name));
            await journal.FlushAsync(None);
        }

        await using (var reopened = await OpenAsync(folder))
        {
            Assert.Equal([session, persistent], await reopened.ReadCookiesAsync(None));
        }
    }
}
