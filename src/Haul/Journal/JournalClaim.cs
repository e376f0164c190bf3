namespace Haul.Journal;

/// <summary>
/// A request to claim pending items of one host (<see cref="IJobJournal.ClaimAsync"/>). Items under another owner's
/// unexpired claim are not taken, and neither are the owner's own: what a worker holds, it is working on.
/// </summary>
/// <param name="Owner">Who claims: a worker process's id.</param>
/// <param name="Host">The host whose items are claimed.</param>
/// <param name="AfterId">Only items with a larger id: a cursor over the host's queue.</param>
/// <param name="Limit">At most this many items.</param>
/// <param name="Until">Unix milliseconds when the claim expires unless renewed.</param>
public sealed record JournalClaim(string Owner, string Host, long AfterId, int Limit, long Until);
