using Haul.Input;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>Input hygiene at the journal: normalised URLs are the identity, the first line of a URL wins.</summary>
public sealed class ItemAdderTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    private static Task<SqliteJobJournal> OpenAsync(TempFolder folder) => SqliteJobJournal.OpenAsync(folder.Path, TimeProvider.System, None);

    [Fact]
    public async Task SpellingsOfOneResource_OneItem()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);

        var result = await journal.AddAsync(
            [
                new DownloadRequest(new Uri("http://example.com/a.jpg#x")),
                new DownloadRequest(new Uri("HTTP://EXAMPLE.com:80/a.jpg#y")),
                new DownloadRequest(new Uri("http://example.com/%61.jpg")),
            ],
            None);

        var item = Assert.Single(result.Items);
        Assert.Equal("http://example.com/a.jpg", item.Url);
        Assert.Empty(result.Skipped);
    }

    [Fact]
    public async Task DuplicateWithConflictingFields_FirstWinsOthersSkippedWithTheReason()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);

        var result = await journal.AddAsync(
            [
                new DownloadRequest(new Uri("http://example.com/a.jpg"), "one.jpg", ShaA, "list.txt:1"),
                new DownloadRequest(new Uri("http://example.com/a.jpg"), "two.jpg", ShaA, "list.txt:2"),
                new DownloadRequest(new Uri("http://example.com/a.jpg"), "one.jpg", ShaB, "list.txt:3"),
                new DownloadRequest(new Uri("http://example.com/a.jpg"), "one.jpg", ShaA, "list.txt:4"),
            ],
            None);

        var item = Assert.Single(result.Items);
        Assert.Equal("one.jpg", item.OutputPath);
        Assert.Equal(ShaA, item.ExpectedSha256);
        Assert.Collection(
            result.Skipped,
            s => Assert.Equal(("list.txt:2", "duplicate of list.txt:1 with a different output path; the first one is kept"), (s.Source, s.Rule)),
            s => Assert.Equal(("list.txt:3", "duplicate of list.txt:1 with a different sha256; the first one is kept"), (s.Source, s.Rule)));
    }

    [Fact]
    public async Task Sha256ChangedOnALaterRun_AppliedAndADoneItemThatDoesNotMatchReopens()
    {
        using var folder = new TempFolder();
        long id;
        await using (var journal = await OpenAsync(folder))
        {
            id = Assert.Single((await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"))], None)).Items).Id;
            journal.Record(new ItemDone(id, 10, ShaA));
        }

        await using (var journal = await OpenAsync(folder))
        {
            var same = Assert.Single((await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"), null, ShaA)], None)).Items);
            Assert.Equal(ItemState.Done, same.State);
        }

        await using (var journal = await OpenAsync(folder))
        {
            var changed = Assert.Single((await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"), null, ShaB)], None)).Items);
            Assert.Equal(ItemState.Pending, changed.State);
            Assert.Equal(ShaB, changed.ExpectedSha256);
            Assert.Equal(ShaB, Assert.Single(await journal.ReadItemsAsync(None)).ExpectedSha256);
        }
    }

    [Fact]
    public async Task OtherOutputPathOnALaterRun_SkippedBecauseTheJobAlreadyPlacesItElsewhere()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenAsync(folder))
        {
            await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"), "first.jpg")], None);
        }

        await using (var journal = await OpenAsync(folder))
        {
            var result = await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"), "second.jpg", Source: "list.txt:9")], None);

            Assert.Empty(result.Items);
            var skipped = Assert.Single(result.Skipped);
            Assert.Equal("list.txt:9", skipped.Source);
            Assert.Contains("'first.jpg'", skipped.Rule, StringComparison.Ordinal);
        }
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

        await using var journal = await OpenAsync(folder);

        var item = Assert.Single(await journal.ReadItemsAsync(None));
        Assert.Equal(ItemState.Done, item.State);
        Assert.Equal(new SkippedInput("ftp://x/y", "list.txt:4", "unsupported scheme"), Assert.Single(await journal.ReadSkippedAsync(None).ToListAsync()));
    }

    [Fact]
    public async Task TwoLinesAskingForOnePath_SecondSuffixedAndARerunIsIdenticalWithoutSkips()
    {
        using var folder = new TempFolder();
        DownloadRequest[] lines =
        [
            new(new Uri("http://example.com/a.jpg"), "same.jpg", Source: "list.txt:1"),
            new(new Uri("http://example.com/b.jpg"), "same.jpg", Source: "list.txt:2"),
        ];
        string[] first;
        await using (var journal = await OpenAsync(folder))
        {
            var added = await journal.AddAsync(lines, None);
            first = added.Items.Select(i => i.OutputPath!).ToArray();
            Assert.Empty(added.Skipped);
        }

        Assert.Equal("same.jpg", first[0]);
        Assert.StartsWith("same~", first[1], StringComparison.Ordinal);
        await using (var journal = await OpenAsync(folder))
        {
            var again = await journal.AddAsync(lines, None);

            Assert.Empty(again.Skipped);
            Assert.Equal(first, again.Items.Select(i => i.OutputPath!));
        }
    }

    [Fact]
    public async Task Sha256DroppedOnALaterRun_NoLongerRequired()
    {
        using var folder = new TempFolder();
        await using (var journal = await OpenAsync(folder))
        {
            await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"), null, ShaA)], None);
        }

        await using (var journal = await OpenAsync(folder))
        {
            var item = Assert.Single((await journal.AddAsync([new DownloadRequest(new Uri("http://example.com/a.jpg"))], None)).Items);

            Assert.Null(item.ExpectedSha256);
            Assert.Null(Assert.Single(await journal.ReadItemsAsync(None)).ExpectedSha256);
        }
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

        await using var journal = await OpenAsync(folder);

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
