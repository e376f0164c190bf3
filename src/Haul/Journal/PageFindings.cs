using Haul.Input;

namespace Haul.Journal;

/// <summary>
/// What reading one page gave, recorded in one transaction with the page's own end (<see cref="Finish"/>), so that a
/// crash leaves either the page unread or the page done with everything it named: a resumed crawl fetches no page twice
/// and loses no link.
/// </summary>
/// <param name="Items">Pages and files the page named (or the start pages, with no page).</param>
public sealed record PageFindings(IReadOnlyList<FoundItem> Items)
{
    /// <summary>The page the items were found on; null for start pages.</summary>
    public long? PageId { get; init; }

    /// <summary>Links and images left out, each with its rule (a trap, a limit), recorded as skipped entries.</summary>
    public IReadOnlyList<SkippedInput> Skipped { get; init; } = [];

    /// <summary>The page's own end (done, or failed), written with its findings.</summary>
    public JournalUpdate? Finish { get; init; }
}
