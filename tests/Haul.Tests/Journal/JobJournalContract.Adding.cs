using Haul.Input;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>Input hygiene at the journal: normalised URLs are the identity, the first line of a URL wins.</summary>
public abstract partial class JobJournalContract
{
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
}
