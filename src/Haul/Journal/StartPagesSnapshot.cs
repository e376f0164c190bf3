namespace Haul.Journal;

/// <summary>
/// A shared crawl's start pages as one read found them (<see cref="ISharedJobJournal.SnapshotStartPagesAsync"/>), and
/// which items the read covers.
/// </summary>
/// <param name="Pages">The crawl's start pages: those commands gave and those they redirected to.</param>
/// <param name="KnownThrough">
/// Every item whose id is at most this was added before the read, so every start page such an item can have been
/// found from is among <paramref name="Pages"/>. An item with a higher id may come from a start page added since.
/// </param>
public sealed record StartPagesSnapshot(IReadOnlyList<Uri> Pages, long KnownThrough);
