namespace Haul.Journal;

/// <summary>
/// A journal that many workers, on many machines, share: each joins under an owner key and a folder, keeps its leases
/// alive with a heartbeat, and asks the shared host state for its turn before each request; before it places a file it
/// stages it under its claim (<see cref="IJobJournal.FinishAsync"/>), which tells whether it still holds the item. Every
/// time that decides (lease expiry, a host's next start, its pause) is the database's.
/// </summary>
public interface ISharedJobJournal : IJobJournal
{
    /// <summary>
    /// Registers a worker: <paramref name="owner"/> is its key in claims (unique per process), <paramref name="holder"/>
    /// the folder its files are in (<c>machine:path</c>), recorded with every file it finishes.
    /// </summary>
    Task JoinAsync(string owner, string holder, CancellationToken cancellationToken);

    /// <summary>
    /// Renews for <paramref name="lease"/> every claim <paramref name="owner"/> still holds (none that another worker took over) and records the heartbeat;
    /// returns how many items it holds.
    /// </summary>
    Task<int> HeartbeatAsync(string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// How many workers are on the job now: joined, not left, and heard from within <paramref name="lease"/> (the
    /// caller included). A host's connection limit is shared among them.
    /// </summary>
    Task<int> CountWorkersAsync(TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// A worker has nothing in hand: its claims are released, and the answer is how many items of the job are unfinished
    /// (other workers' work, or items whose lease expired); zero means the job is finished.
    /// </summary>
    Task<long> IdleAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Records that a worker left: its claims are released for others at once.</summary>
    Task LeaveAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Before a request of <paramref name="item"/> to <paramref name="host"/>: renews the item's claim if its lease token is
    /// still the item's, and books the host's next start across all workers, one gap after the last booked and not
    /// before the host's pause. <paramref name="gap"/> is this worker's new least gap between the host's starts, in
    /// milliseconds (its controller's or a fixed one), or null when it has not changed; it is taken only when
    /// <paramref name="gapVersion"/> is still the shared gap's version (<see cref="HostTurn.GapVersion"/>), so that a
    /// rise by a worker that missed a cut does not undo it, nor a second cut for the same push-back deepen it. A turn further
    /// off than <paramref name="longestWait"/> is not booked, only told: the caller comes back for it later.
    /// </summary>
    Task<HostTurn> TakeTurnAsync(
        JournalItem item, string host, long? gap, long gapVersion, TimeSpan lease, TimeSpan longestWait, CancellationToken cancellationToken);

    /// <summary>How long the host is still paused (by any worker's 429, 503 or ban), by the database's clock; zero when it is not.</summary>
    Task<TimeSpan> ReadHostPauseAsync(string host, CancellationToken cancellationToken);

    /// <summary>
    /// Of <paramref name="itemIds"/>, those that are done or skipped: their part files are of no more use (a failed item's
    /// may be, when a rerun gives it a fresh start).
    /// </summary>
    Task<IReadOnlySet<long>> ReadFinishedAsync(IReadOnlyList<long> itemIds, CancellationToken cancellationToken);

    /// <summary>The job's workers, with their last heartbeat and how many done files each one's folder holds.</summary>
    Task<IReadOnlyList<WorkerStatus>> ReadWorkersAsync(CancellationToken cancellationToken);

    /// <summary>The hosts whose state the job's workers share: each one's gap between requests and its pause, by host.</summary>
    Task<IReadOnlyList<SharedHostStatus>> ReadHostsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The job's kind and a crawl's options. A job of an older Haul, which had no kind, is a list once it has items; one
    /// with neither kind nor items has none yet.
    /// </summary>
    Task<JobDefinition> ReadDefinitionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Fixes the job's kind when it has none: a list, or a crawl of <see cref="JobDefinition.Crawl"/> (only while the job
    /// has no item). Returns the job's definition after: this one, or the one another command fixed first.
    /// </summary>
    Task<JobDefinition> DefineAsync(JobDefinition definition, CancellationToken cancellationToken);

    /// <summary>The start pages commands gave the crawl (<see cref="FoundItem.StartPageSource"/>), without the pages they redirected to.</summary>
    Task<IReadOnlyList<Uri>> ReadGivenStartPagesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The crawl's start pages, with the given ones and those they redirected to, and the last item id whose start
    /// pages the read is sure to hold: a worker reads them again only for a page with a higher id.
    /// </summary>
    Task<StartPagesSnapshot> SnapshotStartPagesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Takes on the page <paramref name="itemId"/> under the crawl's page limit across all workers: admitted when the job
    /// has taken on fewer than <paramref name="maxPages"/> pages, or took this one on before (it is counted once).
    /// </summary>
    Task<PageAdmission> AdmitPageAsync(long itemId, int maxPages, CancellationToken cancellationToken);

    /// <summary>The robots.txt of <paramref name="origin"/> as a worker of the job read it within <paramref name="maxAge"/>, or null.</summary>
    Task<byte[]?> ReadRobotsAsync(string origin, TimeSpan maxAge, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps the robots.txt of <paramref name="origin"/> for the job's other workers (empty for no rules), and gives the
    /// origin's items that a worker which could not read it skipped (<c>robots-unavailable</c>) a fresh start.
    /// </summary>
    Task SaveRobotsAsync(string origin, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);
}
