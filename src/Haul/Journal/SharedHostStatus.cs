namespace Haul.Journal;

/// <summary>A host's state that the workers of a shared job share, as <see cref="ISharedJobJournal.ReadHostsAsync"/> reports it.</summary>
/// <param name="Host">The host key.</param>
/// <param name="Gap">The least time between two of its request starts, across all workers; zero when none was set.</param>
/// <param name="PausedFor">How long it is still paused (a 429, 503 or ban any worker met), by the database's clock; zero when it is not.</param>
/// <param name="Reason">Why it was last paused, e.g. <c>too-many-requests</c>; null when it never was.</param>
public sealed record SharedHostStatus(string Host, TimeSpan Gap, TimeSpan PausedFor, string? Reason);
