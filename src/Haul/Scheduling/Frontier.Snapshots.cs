namespace Haul.Scheduling;

/// <summary>Pictures of the hosts, for the live view and the report: their queues, limits, states and push-back.</summary>
internal sealed partial class Frontier
{
    /// <summary>A picture of every host in memory, for progress displays.</summary>
    public IReadOnlyList<HostSnapshot> Snapshot()
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return _order.Select(q => Snapshot(q, now)).ToList();
        }
    }

    /// <summary>Every host that pushed back in this run, with what it did, for the report.</summary>
    public IReadOnlyList<HostSnapshot> HostsWithEvents()
    {
        lock (_sync)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return _pacing.WithEvents().Select(p => _hosts.TryGetValue(p.Host, out var queue)
                ? Snapshot(queue, now)
                : new HostSnapshot(p.Host, 0, 0, null) { Mode = Mode(p.Controller, null, now), RateLimit = p.Controller.Rate, Concurrency = p.Controller.Concurrency, Events = p.Controller.Events })
                .OrderBy(h => h.Host, StringComparer.Ordinal).ToList();
        }
    }

    private HostSnapshot Snapshot(HostQueue queue, long now)
    {
        var controller = _pacing.Find(queue.Host);
        return new HostSnapshot(
            queue.Host, queue.InMemory, queue.Active, queue.PausedUntil > now ? TimeSpan.FromMilliseconds(queue.PausedUntil - now) : null, queue.PagesInMemory, queue.ActivePages)
        {
            Mode = Mode(controller, queue, now),
            PauseReason = queue.PausedUntil > now ? queue.PauseReason : null,
            RequestsPerSecond = controller?.RecentStarts(now) ?? 0,
            RateLimit = controller?.Rate,
            Concurrency = _pacing.Limit(queue.Host),
            Events = controller?.Events ?? HostEvents.None,
        };
    }

    private static HostMode Mode(HostController? controller, HostQueue? queue, long now) => controller switch
    {
        _ when queue is not null && queue.PausedUntil > now => controller is { Banned: true } ? HostMode.Banned : HostMode.Paused,
        { Probing: true } => HostMode.Probing,
        { Rate: not null } => HostMode.Slowed,
        _ => HostMode.Running,
    };
}
