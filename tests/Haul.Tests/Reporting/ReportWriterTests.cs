using System.Text.Json;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;

namespace Haul.Tests.Reporting;

public sealed class ReportWriterTests
{
    private static readonly string Sha = new('d', 64);

    private static JobReport Report()
    {
        var started = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        return new JobReport
        {
            Total = 4,
            Done = 1,
            Failed = 2,
            Skipped = 1,
            Pending = 0,
            BytesReceived = 1234,
            BytesDone = 1000,
            Elapsed = TimeSpan.FromSeconds(2.5),
            RetriesByReason = new Dictionary<FailureReason, int> { [FailureReason.StaleConnection] = 3, [FailureReason.TooManyRequests] = 1 },
            Failures =
            [
                new FailedItem(
                    new JournalItem { Id = 2, Url = "http://example.com/missing.jpg", State = ItemState.Failed, OutputPath = "example.com/missing.jpg", LastReason = FailureReason.NotFound, LastStatus = 404 },
                    [new AttemptRecord(started, TimeSpan.FromMilliseconds(12), FailureReason.NotFound, 404, null, 0)]),
                new FailedItem(
                    new JournalItem { Id = 3, Url = "http://example.com/sum.jpg", State = ItemState.Failed, OutputPath = "mine/sum.jpg", ExpectedSha256 = Sha, LastReason = FailureReason.ChecksumMismatch, LastStatus = 200 },
                    [
                        new AttemptRecord(started, TimeSpan.FromMilliseconds(40), FailureReason.ChecksumMismatch, 200, null, 500),
                        new AttemptRecord(started.AddSeconds(1), TimeSpan.FromMilliseconds(30), FailureReason.ChecksumMismatch, 206, 100, 400),
                    ]),
            ],
            SkippedItems = [new SkippedInput("ftp://example.com/x", "list.txt:4", "unsupported scheme 'ftp'")],
            FailuresByReason = new Dictionary<FailureReason, int> { [FailureReason.NotFound] = 1, [FailureReason.ChecksumMismatch] = 1 },
        };
    }

    [Fact]
    public async Task WriteAsync_ReportJson_HoldsCountsReasonsAttemptsAndSkips()
    {
        using var folder = new TempFolder();

        await ReportWriter.WriteAsync(Report(), folder.Path, CancellationToken.None);

        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder.Path, ReportWriter.ReportFileName)));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("total").GetInt32());
        Assert.Equal(2, root.GetProperty("failed").GetInt32());
        Assert.Equal(2.5, root.GetProperty("elapsedSeconds").GetDouble());
        Assert.Equal(3, root.GetProperty("retriesByReason").GetProperty("stale-connection").GetInt32());
        Assert.Equal(1, root.GetProperty("failuresByReason").GetProperty("checksum-mismatch").GetInt32());
        var failures = root.GetProperty("failures").EnumerateArray().ToList();
        Assert.Equal("not-found", failures[0].GetProperty("reason").GetString());
        Assert.False(failures[0].GetProperty("transient").GetBoolean());
        Assert.Equal(404, failures[0].GetProperty("status").GetInt32());
        Assert.True(failures[1].GetProperty("transient").GetBoolean());
        var attempts = failures[1].GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(2, attempts.Count);
        Assert.False(attempts[0].TryGetProperty("rangeStart", out _));
        Assert.Equal(100, attempts[1].GetProperty("rangeStart").GetInt64());
        Assert.Equal(30, attempts[1].GetProperty("elapsedMs").GetInt64());
        var skipped = Assert.Single(root.GetProperty("skippedEntries").EnumerateArray());
        Assert.Equal("ftp://example.com/x", skipped.GetProperty("entry").GetString());
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public async Task WriteAsync_ReportJson_HasNoDuplicatePropertyNames()
    {
        using var folder = new TempFolder();

        await ReportWriter.WriteAsync(Report(), folder.Path, CancellationToken.None);

        var bytes = await File.ReadAllBytesAsync(Path.Combine(folder.Path, ReportWriter.ReportFileName));
        using var strict = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
        Assert.Equal(1, strict.RootElement.GetProperty("skipped").GetInt32());
        Assert.Equal(JsonValueKind.Array, strict.RootElement.GetProperty("skippedEntries").ValueKind);
    }

    [Fact]
    public async Task WriteAsync_FailedTxt_KeepsTheOutputPathTheListChose()
    {
        using var folder = new TempFolder();
        var chosen = new JournalItem
        {
            Id = 5,
            Url = "http://example.com/a.jpg",
            State = ItemState.Failed,
            ChosenPath = "albums/a.jpg",
            OutputPath = "albums/a.jpg",
            LastReason = FailureReason.NotFound,
        };

        await ReportWriter.WriteAsync(Report() with { Failures = [new FailedItem(chosen, [])] }, folder.Path, CancellationToken.None);

        using var reader = new StreamReader(Path.Combine(folder.Path, ReportWriter.FailedFileName));
        var batch = await UrlListParser.ParseAsync(reader, "failed.txt", CancellationToken.None);
        Assert.Empty(batch.Skipped);
        Assert.Equal([new DownloadRequest(new Uri("http://example.com/a.jpg"), "albums/a.jpg")], batch.Requests.Select(r => r with { Source = null }));
    }

    [Fact]
    public async Task WriteAsync_FailedTxt_ParsesBackIntoTheSameRequests()
    {
        using var folder = new TempFolder();

        await ReportWriter.WriteAsync(Report(), folder.Path, CancellationToken.None);

        using var reader = new StreamReader(Path.Combine(folder.Path, ReportWriter.FailedFileName));
        var batch = await UrlListParser.ParseAsync(reader, "failed.txt", CancellationToken.None);
        Assert.Empty(batch.Skipped);
        Assert.Equal(
            [
                new DownloadRequest(new Uri("http://example.com/missing.jpg")),
                new DownloadRequest(new Uri("http://example.com/sum.jpg"), "mine/sum.jpg", Sha),
            ],
            batch.Requests.Select(r => r with { Source = null }));
        var text = await File.ReadAllTextAsync(Path.Combine(folder.Path, ReportWriter.FailedFileName));
        Assert.Contains("# not-found (HTTP 404), 1 attempt(s)", text, StringComparison.Ordinal);
        Assert.Contains("# checksum-mismatch (HTTP 200), 2 attempt(s)", text, StringComparison.Ordinal);
    }
}
