using Haul.Input;

namespace Haul.Journal;

/// <summary>
/// The durable record of a job, and its frontier: every item, its state, attempts, validators and result, each host's
/// pause, and the claims (leases) under which items are worked on. Updates are batched; a crash loses at most the last
/// unflushed batch, never a file already at its final path (that file is found again). The SQLite journal is the
/// embedded one; a journal shared by many machines implements the same contract.
/// </summary>
public interface IJobJournal : IAsyncDisposable
{
    /// <summary>Fires when an update could not be written: the job must stop, and the failure is in <see cref="WriteFailure"/>.</summary>
    CancellationToken WriteFailed { get; }

    /// <summary>Why writing failed, once <see cref="WriteFailed"/> has fired.</summary>
    Exception? WriteFailure { get; }

    /// <summary>
    /// Adds a batch of requests; the database enforces that one normalised URL is one item and one output path one file,
    /// so the cost is the batch's, never the job's. Existing URLs keep their record and output path; failed items get a
    /// fresh start; an expected SHA-256 given now replaces the recorded one; a done item stays done only when it matches
    /// that SHA-256 and <paramref name="doneFileIntact"/> (null: trusted) says its file is intact. Input lines that
    /// cannot be added (a duplicate URL with other fields, an output path that names no file) come back as skipped
    /// entries, which the caller records with <see cref="AddSkippedAsync"/>.
    /// </summary>
    Task<JournalAddResult> AddAsync(
        IReadOnlyList<DownloadRequest> requests,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact,
        CancellationToken cancellationToken);

    /// <summary>Records input entries that were skipped, with their rule.</summary>
    Task AddSkippedAsync(IReadOnlyList<SkippedInput> skipped, CancellationToken cancellationToken);

    /// <summary>Hosts that have unfinished items, those paused longest ago first, leaving out <paramref name="except"/>.</summary>
    Task<IReadOnlyList<HostWork>> ReadHostsWithWorkAsync(int limit, IReadOnlySet<string> except, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <see cref="JournalClaim.Limit"/> pending items of a host, oldest first, for an owner until an expiry;
    /// each claim gets a new fencing token (<see cref="JournalItem.LeaseToken"/>) that finishing the item must present.
    /// </summary>
    Task<IReadOnlyList<JournalItem>> ClaimAsync(JournalClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Queues an update; it is written with the next batch. An update of an item made under a claim carries the claim's
    /// <see cref="JournalItem.LeaseToken"/> and changes the item only while that is still its token; in a journal many
    /// workers share, a claim's update without one (<see cref="ItemStarted"/>, <see cref="ValidatorsSeen"/>,
    /// <see cref="AttemptFinished"/>, <see cref="ItemStaged"/>, <see cref="ItemDeferred"/>) is refused with an
    /// <see cref="ArgumentException"/>. Updates made under no claim (a done file checked again) need none.
    /// </summary>
    void Record(JournalUpdate update);

    /// <summary>Writes an update and every update queued before it, and returns once they are committed.</summary>
    Task CommitAsync(JournalUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an update of an item's claim (a finishing one, <see cref="ItemDone"/>, <see cref="ItemFailed"/>,
    /// <see cref="ItemSkipped"/>, or <see cref="ItemStaged"/> before a file is placed) after every update queued before it,
    /// and tells whether it was applied: false when its lease token is no longer the item's (another claim took the item
    /// over, and the item is left as that claim has it) or the item was already done.
    /// </summary>
    Task<bool> FinishAsync(JournalUpdate finish, CancellationToken cancellationToken);

    /// <summary>Writes every queued update.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Items and bytes by state, failures by reason, skipped entries and backups: aggregates, never a scan.</summary>
    Task<JournalCounts> ReadCountsAsync(CancellationToken cancellationToken);

    /// <summary>Streams the items in one state (optionally only those with a backup), in id order, page by page.</summary>
    IAsyncEnumerable<JournalItem> ReadItemsAsync(ItemState state, bool withBackupOnly, CancellationToken cancellationToken);

    /// <summary>Reads every item; for tools and tests on small jobs, since it holds them all in memory.</summary>
    Task<IReadOnlyList<JournalItem>> ReadItemsAsync(CancellationToken cancellationToken);

    /// <summary>Reads the attempts of one item, oldest first.</summary>
    Task<IReadOnlyList<AttemptRecord>> ReadAttemptsAsync(long itemId, CancellationToken cancellationToken);

    /// <summary>Streams every skipped input entry, with its rule.</summary>
    IAsyncEnumerable<SkippedInput> ReadSkippedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records what a crawl found on a page (or its start pages) and the page's own end, in one transaction: items new
    /// to the job are added (files with an output path), items it has already are not added twice, and each file
    /// remembers every page it was found on.
    /// </summary>
    Task<FoundResult> RecordFoundAsync(PageFindings findings, CancellationToken cancellationToken);

    /// <summary>
    /// Gives an item that has none (a crawl's page to be saved) an output path: <paramref name="path"/> or a suffixed
    /// variant, unique like every other; an item that has one keeps it. Returns the item's path.
    /// </summary>
    Task<string> ClaimOutputPathAsync(long itemId, string path, CancellationToken cancellationToken);

    /// <summary>How many of <paramref name="urls"/> the job does not have as items yet (a page with no new image is barren).</summary>
    Task<int> CountNewAsync(IReadOnlyList<Uri> urls, CancellationToken cancellationToken);

    /// <summary>The URLs of a crawl's start pages: those given, and those start pages redirected to.</summary>
    Task<IReadOnlyList<string>> ReadStartPagesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Gives every failed item a fresh start, as a rerun of a crawl does, and so too items skipped by the page limit or by
    /// an unreadable robots.txt; returns how many.
    /// </summary>
    Task<int> ReopenFailedAsync(CancellationToken cancellationToken);

    /// <summary>Streams the pages read with something to report (empty, malformed, not a page), in id order.</summary>
    IAsyncEnumerable<JournalItem> ReadNotedPagesAsync(CancellationToken cancellationToken);

    /// <summary>Streams the done files of a crawl with the pages they were found on, in id order.</summary>
    IAsyncEnumerable<SavedImage> ReadFoundImagesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The job's cookie jar as it was last written (<see cref="CookieStored"/> and <see cref="CookieDeleted"/>
    /// updates, queued with <see cref="Record"/> like any other), session cookies included, oldest first.
    /// </summary>
    Task<IReadOnlyList<Identity.StoredCookie>> ReadCookiesAsync(CancellationToken cancellationToken);
}
