using Haul.Input;

namespace Haul.Journal;

/// <summary>
/// The durable record of a job: every item, its state, attempts, validators and result. Updates are batched; a
/// crash loses at most the last unflushed batch, never a file already at its final path (that file is found again).
/// </summary>
public interface IJobJournal : IAsyncDisposable
{
    /// <summary>Fires when an update could not be written: the job must stop, and the failure is in <see cref="WriteFailure"/>.</summary>
    CancellationToken WriteFailed { get; }

    /// <summary>Why writing failed, once <see cref="WriteFailed"/> has fired.</summary>
    Exception? WriteFailure { get; }

    /// <summary>
    /// Adds requests (existing URLs keep their record), assigns each a unique output path, and returns the items of
    /// these requests, in input order and without duplicates; items not done become pending again, and an expected
    /// SHA-256 given now replaces the one recorded (a done item that does not match it becomes pending). Input lines
    /// that cannot be added (a duplicate URL with other fields, an output path that names no file) come back as
    /// skipped entries, which the caller records with <see cref="AddSkippedAsync"/>.
    /// </summary>
    Task<JournalAddResult> AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken);

    /// <summary>Records input entries that were skipped, with their rule.</summary>
    Task AddSkippedAsync(IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken);

    /// <summary>Queues an update; it is written with the next batch.</summary>
    void Record(JournalUpdate update);

    /// <summary>Writes an update and every update queued before it, and returns once they are committed.</summary>
    Task CommitAsync(JournalUpdate update, CancellationToken cancellationToken);

    /// <summary>Writes every queued update.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Reads every item.</summary>
    Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken);

    /// <summary>Reads the attempts of one item, oldest first.</summary>
    Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken);

    /// <summary>Reads every skipped input entry, with its rule.</summary>
    Task<IReadOnlyList<SkippedInput>> ReadSkippedAsync(CancellationToken cancellationToken);
}
