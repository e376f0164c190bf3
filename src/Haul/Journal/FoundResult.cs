namespace Haul.Journal;

/// <summary>What <see cref="IJobJournal.RecordFoundAsync"/> made of a page's findings.</summary>
/// <param name="NewPages">Pages new to the job.</param>
/// <param name="NewFiles">Files new to the job, in the order found.</param>
public sealed record FoundResult(int NewPages, IReadOnlyList<string> NewFiles);
