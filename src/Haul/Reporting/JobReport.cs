using Haul.Fetching;
using Haul.Input;
using Haul.Journal;

namespace Haul.Reporting;

/// <summary>The outcome of a job: every item's terminal state, failures with their reasons and attempt history.</summary>
public sealed record JobReport
{
    /// <summary>Items in the journal.</summary>
    public required int Total { get; init; }

    /// <summary>Items done.</summary>
    public required int Done { get; init; }

    /// <summary>Items failed.</summary>
    public required int Failed { get; init; }

    /// <summary>Entries skipped.</summary>
    public required int Skipped { get; init; }

    /// <summary>Items neither done, failed nor skipped: only after an interrupted run.</summary>
    public required int Pending { get; init; }

    /// <summary>Body bytes received by this run.</summary>
    public required long BytesReceived { get; init; }

    /// <summary>Bytes of all done files.</summary>
    public required long BytesDone { get; init; }

    /// <summary>How long this run took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Retries of this run by reason.</summary>
    public required IReadOnlyDictionary<FailureReason, int> RetriesByReason { get; init; }

    /// <summary>Failed items, each with its reason and attempts: the first few (all of them are in <c>report.json</c>).</summary>
    public required IReadOnlyList<FailedItem> Failures { get; init; }

    /// <summary>Skipped entries, each with where it came from and the rule: the first few (all of them are in <c>report.json</c>).</summary>
    public required IReadOnlyList<SkippedInput> SkippedItems { get; init; }

    /// <summary>
    /// Done items whose final path held a different file, kept under a numbered backup name
    /// (<see cref="JournalItem.BackupPath"/>): the first few; <see cref="BackupCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<JournalItem> Backups { get; init; } = [];

    /// <summary>Every done item that kept a backup.</summary>
    public int BackupCount { get; init; }

    /// <summary>Failures counted by reason, over every failed item.</summary>
    public IReadOnlyDictionary<FailureReason, int> FailuresByReason { get; init; } = new Dictionary<FailureReason, int>();

    /// <summary>The pages of a crawl, counted among the items too; null for a list job.</summary>
    public PageCounts? Pages { get; init; }

    /// <summary>Every host that pushed back in this run (429, 503, resets, bans, stalls): what it did, and how it was left.</summary>
    public IReadOnlyList<Scheduling.HostSnapshot> Hosts { get; init; } = [];

    /// <summary>The workers of a job that many share (<see cref="Engine.HaulOptions.SharedJob"/>); empty for a job of one folder.</summary>
    public IReadOnlyList<Journal.WorkerStatus> Workers { get; init; } = [];

    /// <summary>The hosts whose state the workers of a shared job share (gap, pause); empty for a job of one folder.</summary>
    public IReadOnlyList<Journal.SharedHostStatus> SharedHosts { get; init; } = [];

    /// <summary>Whether every item ended done or skipped.</summary>
    public bool Succeeded => Failed == 0 && Pending == 0;
}

/// <summary>A failed item and its attempts.</summary>
/// <param name="Item">The item.</param>
/// <param name="Attempts">Its attempts, oldest first.</param>
public sealed record FailedItem(JournalItem Item, IReadOnlyList<AttemptRecord> Attempts);

/// <summary>The pages of a crawl by state.</summary>
/// <param name="Done">Pages read.</param>
/// <param name="Failed">Pages that could not be fetched or read.</param>
/// <param name="Skipped">Pages left out by a rule (robots.txt, a limit).</param>
/// <param name="Pending">Pages not read yet.</param>
public sealed record PageCounts(int Done, int Failed, int Skipped, int Pending);
