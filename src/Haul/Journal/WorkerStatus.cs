namespace Haul.Journal;

/// <summary>One worker of a shared job, as <see cref="ISharedJobJournal.ReadWorkersAsync"/> reports it.</summary>
/// <param name="Owner">Its key in claims: machine and process.</param>
/// <param name="Holder">The folder its files are in (<c>machine:path</c>).</param>
/// <param name="Started">When it joined.</param>
/// <param name="Heartbeat">Its last heartbeat, by the database's clock.</param>
/// <param name="Left">When it left, or null while it works (or was killed: its heartbeat then stops).</param>
/// <param name="Holding">Items it holds a live lease on.</param>
/// <param name="FilesDone">Done files in its folder.</param>
public sealed record WorkerStatus(
    string Owner, string Holder, DateTimeOffset Started, DateTimeOffset Heartbeat, DateTimeOffset? Left, long Holding, long FilesDone)
{
    /// <summary>The time since its last heartbeat (or since it left), by the database's clock.</summary>
    public TimeSpan SinceHeartbeat { get; init; }

    /// <summary>The lease its claims are given (<c>--lease</c>), as its heartbeats say; null before its first.</summary>
    public TimeSpan? Lease { get; init; }

    /// <summary>
    /// Whether it is gone without leaving (killed, stopped, cut off): no heartbeat for longer than the lease its claims
    /// were given (<see cref="Lease"/>, else <paramref name="lease"/>), so that the others have taken over what it held.
    /// </summary>
    public bool IsGone(TimeSpan lease) => Left is null && SinceHeartbeat > (Lease ?? lease);
}
