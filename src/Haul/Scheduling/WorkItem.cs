using Haul.Fetching;
using Haul.Journal;

namespace Haul.Scheduling;

/// <summary>
/// An item while it is in memory: claimed from the journal, waiting in its host's queue, being attempted, or waiting
/// for its retry time. It carries what spans attempts within a run: the attempts made, when the first began (the item's
/// time budget), the last backoff, and the host whose queue it is in, which a redirect to another host changes.
/// </summary>
internal sealed class WorkItem
{
    public WorkItem(JournalItem item, FetchTarget target)
    {
        Item = item;
        Target = target;
        Host = item.Host;
    }

    public JournalItem Item { get; }

    public FetchTarget Target { get; }

    /// <summary>The host whose queue and limits the item is under now.</summary>
    public string Host { get; set; }

    /// <summary>Unix milliseconds before which the item must not start.</summary>
    public long NotBefore { get; set; }

    /// <summary>When the running attempt was let start (Unix milliseconds).</summary>
    public long AttemptStarted { get; set; }

    /// <summary>
    /// Set when the item's host is paused for longer than an item may take (a Retry-After of hours): the item is to
    /// fail with the host's reason, without a request.
    /// </summary>
    public HostPause? ClosedBy { get; set; }

    /// <summary>Attempts made in this run.</summary>
    public int Attempts { get; set; }

    /// <summary>When the first attempt of this run began (a <see cref="TimeProvider"/> timestamp), or null before it.</summary>
    public long? FirstStarted { get; set; }

    /// <summary>A crawl's page that was counted against the crawl's page limit in this run.</summary>
    public bool Admitted { get; set; }

    /// <summary>In a shared job: the attempt's turn was one of the host's first after a pause it asked for (a probe).</summary>
    public bool ProbeTurn { get; set; }

    /// <summary>The backoff before the last retry, to draw the next one from.</summary>
    public TimeSpan LastDelay { get; set; }
}
