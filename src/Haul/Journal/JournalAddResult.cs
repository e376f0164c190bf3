using Haul.Input;

namespace Haul.Journal;

/// <summary>What <see cref="IJobJournal.AddAsync"/> made of a batch of requests.</summary>
/// <param name="Items">The items of the requests, in input order, without duplicates.</param>
/// <param name="Skipped">Requests that were not added, each with its rule.</param>
public sealed record JournalAddResult(IReadOnlyList<JournalItem> Items, IReadOnlyList<SkippedInput> Skipped)
{
    /// <summary>Items new to the job.</summary>
    public int Inserted { get; init; }

    /// <summary>Items of an earlier run to be fetched again (failed, or done but no longer intact).</summary>
    public int Reopened { get; init; }

    /// <summary>Items done by an earlier run whose files are intact.</summary>
    public int AlreadyDone { get; init; }
}
