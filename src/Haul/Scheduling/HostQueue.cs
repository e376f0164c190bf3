namespace Haul.Scheduling;

/// <summary>
/// One host's state in the frontier: its queue of items ready to start, the items waiting for a retry time, the
/// attempts running, its pause, and where its claims from the journal have got to.
/// </summary>
internal sealed class HostQueue(string host)
{
    public string Host { get; } = host;

    public Queue<WorkItem> Ready { get; } = new();

    /// <summary>Items waiting for their <see cref="WorkItem.NotBefore"/>, earliest first.</summary>
    public PriorityQueue<WorkItem, long> Waiting { get; } = new();

    public int Active { get; set; }

    /// <summary>Of <see cref="Active"/>, the pages of a crawl.</summary>
    public int ActivePages { get; set; }

    /// <summary>Pages of a crawl among the items in memory.</summary>
    public int PagesInMemory =>
        Ready.Count(w => w.Item.Kind == Journal.ItemKind.Page) + Waiting.UnorderedItems.Count(w => w.Element.Item.Kind == Journal.ItemKind.Page);

    /// <summary>Unix milliseconds until which no new attempt of this host starts.</summary>
    public long PausedUntil { get; set; }

    public string? PauseReason { get; set; }

    /// <summary>The largest item id claimed so far: the next claim continues after it.</summary>
    public long Cursor { get; set; }

    /// <summary>The journal had no more items of this host beyond <see cref="Cursor"/> at the last claim.</summary>
    public bool Exhausted { get; set; }

    public int InMemory => Ready.Count + Waiting.Count;

    public bool IsEmpty => InMemory == 0 && Active == 0;

    /// <summary>Moves waiting items whose time has come to the ready queue.</summary>
    public void Release(long now)
    {
        while (Waiting.TryPeek(out var item, out var notBefore) && notBefore <= now)
        {
            Waiting.Dequeue();
            Ready.Enqueue(item);
        }
    }

    public void Add(WorkItem item, long now)
    {
        if (item.NotBefore > now)
        {
            Waiting.Enqueue(item, item.NotBefore);
        }
        else
        {
            Ready.Enqueue(item);
        }
    }
}
