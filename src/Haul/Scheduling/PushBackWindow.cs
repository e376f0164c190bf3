namespace Haul.Scheduling;

/// <summary>
/// The last <see cref="Capacity"/> outcomes of a host's requests, whatever the pauses between them: each an answer or
/// a push-back. Counted in requests, not in time, so that the share of push-back does not depend on the rate the
/// requests were sent at, nor on the pauses they caused. Not thread-safe.
/// </summary>
internal sealed class PushBackWindow
{
    /// <summary>The outcomes remembered.</summary>
    public const int Capacity = 128;

    private readonly bool[] _pushBacks = new bool[Capacity];
    private int _next;

    /// <summary>Outcomes remembered, at most <see cref="Capacity"/>.</summary>
    public int Count { get; private set; }

    /// <summary>Push-backs among them.</summary>
    public int PushBacks { get; private set; }

    /// <summary>The share of push-back among the outcomes remembered; 0 with none.</summary>
    public double Share => Count == 0 ? 0 : PushBacks / (double)Count;

    /// <summary>Remembers one outcome, forgetting the oldest once full.</summary>
    public void Add(bool pushBack)
    {
        if (Count == Capacity && _pushBacks[_next])
        {
            PushBacks--;
        }

        _pushBacks[_next] = pushBack;
        if (pushBack)
        {
            PushBacks++;
        }

        _next = (_next + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }
}
