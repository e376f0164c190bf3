using Haul.Input;

namespace Haul.Journal;

/// <summary>
/// The durable record of a job: every item, its state, attempts, validators and result. Updates are batched; a
/// crash loses at most the last unflushed batch, never a file already at its final path (that file is found again).
/// </summary>
public interface IJobJournal : IAsyncDisposable
{
    /// <summary>Adds requests (existing URLs keep their record), assigns each a unique output path, and returns the items
    /// of these requests, in input order and without duplicates. Items not done become pending again.</summary>
    Task<IReadOnlyList<JournalItem>> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken);

    /// <summary>Records input entries that were skipped, with their rule.</summary>
    Task AddSkippedAsync(IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken);

    /// <summary>Queues an update; it is written with the next batch.</summary>
    void Record(JournalUpdate update);

    /// <summary>Writes every queued update.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Reads every item.</summary>
    Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken);

    /// <summary>Reads the attempts of one item, oldest first.</summary>
    Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken);
}
