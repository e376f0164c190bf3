using Haul.Input;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>The journal contract against the SQLite journal, and what only the SQLite journal does: its file, its lock, its migrations.</summary>
public sealed class SqliteJobJournalTests : JobJournalContract
{
    private protected override async Task<IJobJournal> OpenAsync(TempFolder folder, TimeProvider? time = null) =>
        await SqliteJobJournal.OpenAsync(folder.Path, time ?? TimeProvider.System, None);

    private static DownloadRequest Request(string url) => new(new Uri(url));

    private static Task<SqliteJobJournal> OpenSqliteAsync(TempFolder folder) => SqliteJobJournal.OpenAsync(folder.Path, TimeProvider.System, None);

    [Fact]
    public async Task OpenAsync_CreatesDatabaseInStateFolder()
    {
        using var folder = new TempFolder();

        await using (await OpenSqliteAsync(folder))
        {
        }

        Assert.True(File.Exists(SqliteJobJournal.DatabasePath(folder.Path)));
        Assert.Equal(Path.Combine(folder.Path, ".haul", "journal.db"), SqliteJobJournal.DatabasePath(folder.Path));
    }

    [Fact]
    public async Task OnUnix_TheStateFolderIsTheOwnersAlone_AndTheJournalWithItsWalAndShmFiles_WhateverTheyWereBefore()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var folder = new TempFolder();
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        var state = Path.Combine(folder.Path, ".haul");
        Directory.CreateDirectory(state);
        File.SetUnixFileMode(state, Open | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var database = SqliteJobJournal.DatabasePath(folder.Path);
        await using (await OpenSqliteAsync(folder))
        {
        }

        File.SetUnixFileMode(database, Open);
        await using var journal = await OpenSqliteAsync(folder);
        await journal.AddAsync([Request("http://example.com/a.jpg")], None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public async Task SecondOpenOnSameFolder_ThrowsJournalLockedUntilFirstIsClosed()
    {
        using var folder = new TempFolder();
        var first = await OpenSqliteAsync(folder);
        await using (first)
        {
            await Assert.ThrowsAsync<JournalLockedException>(() => OpenSqliteAsync(folder));
        }

        await using var reopened = await OpenSqliteAsync(folder);
        Assert.Empty(await reopened.ReadItemsAsync(None));
    }

    [Fact]
    public async Task InProgressItems_BecomePendingOnReopen()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenSqliteAsync(folder))
        {
            var items = (await journal.AddAsync([Request("http://example.com/a.jpg"), Request("http://example.com/b.jpg")], None)).Items;
            journal.Record(new ItemStarted(items[0].Id));
            await journal.FlushAsync(None);
            Assert.Equal(ItemState.InProgress, (await journal.ReadItemsAsync(None))[0].State);
        }

        await using (var journal = await OpenSqliteAsync(folder))
        {
            Assert.All(await journal.ReadItemsAsync(None), i => Assert.Equal(ItemState.Pending, i.State));
        }
    }

    [Fact]
    public async Task OpenReadOnly_WhileJobHoldsTheLock_ReadsItems()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenSqliteAsync(folder);
        await journal.AddAsync([Request("http://example.com/a.jpg")], None);

        await using var reader = await SqliteJobJournal.OpenReadOnlyAsync(folder.Path, None);

        Assert.Equal("http://example.com/a.jpg", Assert.Single(await reader.ReadItemsAsync(None)).Url);
    }

    [Fact]
    public async Task JournalOfTheFirstVersion_MigratedWithItsSkippedLinesKept()
    {
        using var folder = new TempFolder();
        await CreateFirstVersionJournalAsync(folder, """
                INSERT INTO items (url, kind, state, output_path, bytes, sha256, updated_at)
                    VALUES ('http://example.com/a.jpg', 0, 2, 'example.com/a.jpg', 10, 'aaaa', '2026-01-01');
                INSERT INTO items (url, kind, state, note, updated_at) VALUES ('ftp://x/y', 0, 4, 'list.txt:4: unsupported scheme', '2026-01-01');
            """);

        await using var journal = await OpenSqliteAsync(folder);

        var item = Assert.Single(await journal.ReadItemsAsync(None));
        Assert.Equal(ItemState.Done, item.State);
        Assert.Equal(new SkippedInput("ftp://x/y", "list.txt:4", "unsupported scheme"), Assert.Single(await journal.ReadSkippedAsync(None).ToListAsync()));
    }

    [Fact]
    public async Task JournalOfTheFirstVersionWithUnnormalisedUrls_SpellingsMergedAndTheDoneOneKept()
    {
        using var folder = new TempFolder();
        await CreateFirstVersionJournalAsync(folder, """
                INSERT INTO items (url, kind, state, output_path, updated_at) VALUES ('http://example.com/a.jpg#top', 0, 0, 'example.com/a~1.jpg', 'x');
                INSERT INTO items (url, kind, state, output_path, bytes, sha256, updated_at)
                    VALUES ('http://example.com/a.jpg#bottom', 0, 2, 'example.com/a.jpg', 10, 'aaaa', 'x');
                INSERT INTO items (url, kind, state, output_path, updated_at) VALUES ('http://example.com/%62.jpg', 0, 3, 'example.com/b.jpg', 'x');
            """);

        await using var journal = await OpenSqliteAsync(folder);

        var items = await journal.ReadItemsAsync(None);
        Assert.Equal(["http://example.com/a.jpg", "http://example.com/b.jpg"], items.Select(i => i.Url).Order(StringComparer.Ordinal));
        Assert.Equal(ItemState.Done, items.Single(i => i.Url == "http://example.com/a.jpg").State);
        Assert.All(items, i => Assert.Equal("example.com", i.Host));
        var again = await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"))], None);
        Assert.Equal(ItemState.Done, Assert.Single(again.Items).State);
        Assert.Equal(1, (await journal.ReadCountsAsync(None)).Items(ItemState.Done));
    }

    /// <summary>A journal as the first version of Haul wrote it, holding the given rows.</summary>
    private static async Task CreateFirstVersionJournalAsync(TempFolder folder, string rows)
    {
        Directory.CreateDirectory(Path.Combine(folder.Path, ".haul"));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={SqliteJobJournal.DatabasePath(folder.Path)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE items (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, state INTEGER NOT NULL,
                output_path TEXT UNIQUE, expected_sha256 TEXT, attempts INTEGER NOT NULL DEFAULT 0, last_reason TEXT,
                last_status INTEGER, bytes INTEGER NOT NULL DEFAULT 0, total_size INTEGER, etag TEXT, last_modified TEXT,
                sha256 TEXT, note TEXT, updated_at TEXT NOT NULL);
            CREATE TABLE attempts (item_id INTEGER NOT NULL REFERENCES items (id), started_at TEXT NOT NULL,
                elapsed_ms INTEGER NOT NULL, reason TEXT NOT NULL, status INTEGER, range_start INTEGER, bytes INTEGER NOT NULL);
            """ + rows;
        await command.ExecuteNonQueryAsync();
    }
}
