namespace Haul.Scheduling;

/// <summary>What becomes of a work item after an attempt, as told to the <see cref="Frontier"/>.</summary>
internal enum WorkDecision
{
    /// <summary>Done or failed for good: it leaves memory.</summary>
    Finished,

    /// <summary>Back in its host's queue until <see cref="WorkItem.NotBefore"/>.</summary>
    Retry,

    /// <summary>Redirected to another host: queued there now (<see cref="WorkItem.Host"/> says which).</summary>
    Moved,

    /// <summary>Not attempted (the job is stopping): it stays pending in the journal.</summary>
    Abandoned,
}
