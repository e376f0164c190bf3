using System.Globalization;
using System.Text;
using System.Text.Json;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Scheduling;
using Haul.Writing;

namespace Haul.Reporting;

/// <summary>Writes <c>report.json</c> and <c>failed.txt</c> (a URL list that <c>haul get -i</c> takes back).</summary>
public static class ReportWriter
{
    /// <summary>The name of the machine-readable report in the output folder.</summary>
    public const string ReportFileName = "report.json";

    /// <summary>The name of the list of failed URLs in the output folder.</summary>
    public const string FailedFileName = "failed.txt";

    /// <summary>Items written between two flushes of a report file, so a report of millions of items stays small in memory.</summary>
    private const int FlushEvery = 256;

    /// <summary>Writes both files into <paramref name="outputDirectory"/>, each atomically, from what <paramref name="report"/> holds.</summary>
    public static Task WriteAsync(JobReport report, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        return WriteAsync(report, new ReportLists(ToAsync(report.Failures), ToAsync(report.SkippedItems), ToAsync(report.Backups)), outputDirectory, cancellationToken);
    }

    /// <summary>Writes both files into <paramref name="outputDirectory"/>, each atomically, streaming every failure, skipped entry and backup from the journal.</summary>
    public static Task WriteAsync(JobReport report, IJobJournal journal, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var lists = new ReportLists(Failures(journal, cancellationToken), journal.ReadSkippedAsync(cancellationToken), journal.ReadItemsAsync(ItemState.Done, withBackupOnly: true, cancellationToken))
        {
            SkippedItems = journal.ReadItemsAsync(ItemState.Skipped, withBackupOnly: false, cancellationToken),
            NotedPages = journal.ReadNotedPagesAsync(cancellationToken),
        };
        return WriteAsync(report, lists, outputDirectory, cancellationToken);
    }

    private static async Task WriteAsync(JobReport report, ReportLists lists, string outputDirectory, CancellationToken cancellationToken)
    {
        await WriteAtomicallyAsync(Path.Combine(outputDirectory, ReportFileName), stream => WriteJsonAsync(report, lists, stream, cancellationToken), cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(Path.Combine(outputDirectory, FailedFileName), stream => WriteFailedAsync(lists.Failures, report.Pages is not null, stream, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<FailedItem> Failures(IJobJournal journal, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in journal.ReadItemsAsync(ItemState.Failed, withBackupOnly: false, cancellationToken).ConfigureAwait(false))
        {
            yield return new FailedItem(item, await journal.ReadAttemptsAsync(item.Id, cancellationToken).ConfigureAwait(false));
        }
    }

    private static async IAsyncEnumerable<T> ToAsync<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
        {
            yield return item;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static async Task WriteFailedAsync(IAsyncEnumerable<FailedItem> failures, bool crawl, Stream stream, CancellationToken cancellationToken)
    {
        var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            // A crawl's failures are retried by running the crawl again, which sends each its Referer and reads pages as pages.
            await writer.WriteLineAsync(crawl
                ? "# Failed items of a crawl; running the same haul crawl command again retries them"
                : "# Failed items; feed this file back with: haul get -i failed.txt").ConfigureAwait(false);
            await foreach (var failure in failures.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var item = failure.Item;
                var detail = item.LastDetail is null ? string.Empty : ": " + OneLine(item.LastDetail);
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"# {FailureReasons.ToName(item.LastReason)}{detail}{(item.LastStatus is { } s ? $" (HTTP {s})" : string.Empty)}, {failure.Attempts.Count} attempt(s)")).ConfigureAwait(false);
                await writer.WriteLineAsync(ListLine(item)).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A failed item as a list line that gives it back as it was asked for: its URL, the output path the list chose for
    /// it (or, with a checksum, the path it had, as the checksum needs one before it), and its checksum. Given to a new
    /// folder, the file lands where the first list put it.
    /// </summary>
    private static string ListLine(JournalItem item)
    {
        var path = item.ChosenPath ?? (item.ExpectedSha256 is null ? null : item.OutputPath);
        var line = path is null ? item.Url : $"{item.Url}\t{path}";
        return item.ExpectedSha256 is null ? line : $"{line}\tsha256={item.ExpectedSha256}";
    }

    private static async Task WriteJsonAsync(JobReport report, ReportLists lists, Stream stream, CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        await using var jsonDisposal = json.ConfigureAwait(false);
        var written = 0;
        async ValueTask FlushNowAndThenAsync()
        {
            if (++written % FlushEvery == 0)
            {
                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        json.WriteStartObject();
        json.WriteNumber("total", report.Total);
        json.WriteNumber("done", report.Done);
        json.WriteNumber("failed", report.Failed);
        json.WriteNumber("skipped", report.Skipped);
        json.WriteNumber("pending", report.Pending);
        json.WriteNumber("bytesReceived", report.BytesReceived);
        json.WriteNumber("bytesDone", report.BytesDone);
        json.WriteNumber("backups", report.BackupCount);
        json.WriteNumber("elapsedSeconds", Math.Round(report.Elapsed.TotalSeconds, 3));
        if (report.Pages is { } pages)
        {
            json.WriteStartObject("pages");
            json.WriteNumber("done", pages.Done);
            json.WriteNumber("failed", pages.Failed);
            json.WriteNumber("skipped", pages.Skipped);
            json.WriteNumber("pending", pages.Pending);
            json.WriteEndObject();
        }

        WriteCounts(json, "retriesByReason", report.RetriesByReason);
        WriteHosts(json, report.Hosts);
        WriteCounts(json, "failuresByReason", report.FailuresByReason);
        json.WriteStartArray("failures");
        await foreach (var failure in lists.Failures.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var item = failure.Item;
            json.WriteStartObject();
            json.WriteString("url", item.Url);
            json.WriteString("reason", FailureReasons.ToName(item.LastReason));
            if (item.LastDetail is { } detail)
            {
                json.WriteString("detail", detail);
            }

            json.WriteBoolean("transient", FailureReasons.IsTransient(item.LastReason));
            if (item.LastStatus is { } status)
            {
                json.WriteNumber("status", status);
            }

            json.WriteString("outputPath", item.OutputPath);
            json.WriteStartArray("attempts");
            foreach (var attempt in failure.Attempts)
            {
                json.WriteStartObject();
                json.WriteString("startedAt", attempt.StartedAt);
                json.WriteNumber("elapsedMs", (long)attempt.Elapsed.TotalMilliseconds);
                json.WriteString("reason", FailureReasons.ToName(attempt.Reason));
                if (attempt.Detail is { } attemptDetail)
                {
                    json.WriteString("detail", attemptDetail);
                }

                if (attempt.Status is { } attemptStatus)
                {
                    json.WriteNumber("status", attemptStatus);
                }

                if (attempt.RangeStart is { } rangeStart)
                {
                    json.WriteNumber("rangeStart", rangeStart);
                }

                json.WriteNumber("bytes", attempt.BytesReceived);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            await FlushNowAndThenAsync().ConfigureAwait(false);
        }

        json.WriteEndArray();
        json.WriteStartArray("skippedEntries");
        await foreach (var skipped in lists.Skipped.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("entry", skipped.Text);
            json.WriteString("source", skipped.Source);
            json.WriteString("rule", skipped.Rule);
            json.WriteEndObject();
            await FlushNowAndThenAsync().ConfigureAwait(false);
        }

        await foreach (var item in lists.SkippedItems.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("entry", item.Url);
            json.WriteString("source", item.Source ?? item.Referer);
            json.WriteString("rule", item.Note);
            json.WriteEndObject();
            await FlushNowAndThenAsync().ConfigureAwait(false);
        }

        json.WriteEndArray();
        json.WriteStartArray("pageNotes");
        await foreach (var item in lists.NotedPages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("url", item.Url);
            json.WriteString("note", item.Note);
            json.WriteEndObject();
            await FlushNowAndThenAsync().ConfigureAwait(false);
        }

        json.WriteEndArray();
        json.WriteStartArray("backupFiles");
        await foreach (var item in lists.Backups.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("url", item.Url);
            json.WriteString("outputPath", item.OutputPath);
            json.WriteString("backupPath", item.BackupPath);
            json.WriteEndObject();
            await FlushNowAndThenAsync().ConfigureAwait(false);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The hosts that pushed back, with what they did and how Haul was treating them at the end.</summary>
    private static void WriteHosts(Utf8JsonWriter json, IReadOnlyList<HostSnapshot> hosts)
    {
        json.WriteStartArray("hosts");
        foreach (var host in hosts)
        {
            json.WriteStartObject();
            json.WriteString("host", host.Host);
            json.WriteString("mode", HostModes.ToName(host.Mode));
            if (host.RateLimit is { } rate)
            {
                json.WriteNumber("requestsPerSecond", Math.Round(rate, 2));
            }

            json.WriteNumber("concurrency", host.Concurrency);
            var events = host.Events;
            json.WriteNumber("throttled", events.Throttled);
            json.WriteNumber("unavailable", events.Unavailable);
            json.WriteNumber("refused", events.Refused);
            json.WriteNumber("bans", events.Bans);
            json.WriteNumber("stalls", events.Stalls);
            json.WriteNumber("slowdowns", events.Slowdowns);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, IReadOnlyDictionary<FailureReason, int> counts)
    {
        json.WriteStartObject(name);
        foreach (var (reason, count) in counts.OrderByDescending(p => p.Value))
        {
            json.WriteNumber(FailureReasons.ToName(reason), count);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Writes a temporary file and renames it over <paramref name="path"/>. A link planted at the temporary name is
    /// removed (never followed), and the rename replaces a link at the final name rather than writing through it. The
    /// temporary name is the process's own: workers of a shared job write their reports into one folder at once.
    /// </summary>
    internal static async Task WriteAtomicallyAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(temporary);
        var stream = NoFollowFile.Open(temporary, NoFollowFile.Mode.CreateNew);
        await using (stream.ConfigureAwait(false))
        {
            var buffered = new BufferedStream(stream, 64 * 1024);
            await using (buffered.ConfigureAwait(false))
            {
                await write(buffered).ConfigureAwait(false);
                await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>The lists a report file enumerates, from memory or streamed from a journal.</summary>
    private sealed record ReportLists(IAsyncEnumerable<FailedItem> Failures, IAsyncEnumerable<SkippedInput> Skipped, IAsyncEnumerable<JournalItem> Backups)
    {
        /// <summary>Items a rule kept from being fetched (robots.txt, a crawl's filters).</summary>
        public IAsyncEnumerable<JournalItem> SkippedItems { get; init; } = ToAsync<JournalItem>([]);

        /// <summary>Pages read with something to say (empty, malformed, not a page).</summary>
        public IAsyncEnumerable<JournalItem> NotedPages { get; init; } = ToAsync<JournalItem>([]);
    }
}
