using Haul.Input;
using Haul.Journal;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>Streams a list job's input into the journal while the workers run.</summary>
internal static class InputIngester
{
    /// <summary>Entries added to the journal in one transaction: large enough to be cheap, small enough to start soon.</summary>
    private const int IngestBatchSize = 5000;

    /// <summary>
    /// Streams the input into the journal in batches. Each batch costs what it holds, not what the job holds; skipped
    /// entries are recorded with their rule as they come; the frontier hears of each batch at once.
    /// </summary>
    internal static async Task IngestAsync(
        IJobJournal journal, IAsyncEnumerable<InputEntry> input, SafeFileSystem fileSystem, Frontier frontier, JobProgress progress,
        ILogger logger, CancellationToken cancellationToken)
    {
        var requests = new List<DownloadRequest>(IngestBatchSize);
        var skipped = new List<SkippedInput>();
        async Task FlushAsync()
        {
            var result = await journal.AddAsync(
                requests, (item, token) => DoneFileCheck.IntactAsync(journal, item, fileSystem, logger, token), cancellationToken).ConfigureAwait(false);
            progress.AddInputRequests(requests.Count);
            progress.AddTotal(result.Inserted + result.Reopened + result.AlreadyDone);
            progress.AddAlreadyDone(result.AlreadyDone);
            foreach (var entry in result.Skipped)
            {
                progress.InputEntrySkipped(entry);
            }

            skipped.AddRange(result.Skipped);
            await journal.AddSkippedAsync(skipped, cancellationToken).ConfigureAwait(false);
            requests.Clear();
            skipped.Clear();
            frontier.InputAdded(reopened: result.Reopened > 0);
        }

        await foreach (var entry in input.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (entry)
            {
                case DownloadRequest request:
                    requests.Add(request);
                    break;
                case SkippedInput skip:
                    skipped.Add(skip);
                    progress.InputEntrySkipped(skip);
                    break;
            }

            if (requests.Count + skipped.Count >= IngestBatchSize)
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }

        await FlushAsync().ConfigureAwait(false);
    }
}
