using Haul.Input;

namespace Haul.Journal;

/// <summary>What <see cref="IJobJournal.AddAsync"/> made of a list of requests.</summary>
/// <param name="Items">The items of the requests, in input order, without duplicates.</param>
/// <param name="Skipped">Requests that were not added, each with its rule.</param>
public sealed record JournalAddResult(IReadOnlyList<JournalItem> Items, IReadOnlyList<SkippedInput> Skipped);
