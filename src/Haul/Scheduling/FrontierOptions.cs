namespace Haul.Scheduling;

/// <summary>How the <see cref="Frontier"/> bounds its memory and its claims.</summary>
/// <param name="PerHostLimit">Attempts of one host at once.</param>
/// <param name="MaxActiveHosts">Hosts that may run at once, each with a queue in memory; paused hosts do not count.</param>
/// <param name="Window">Items of one host held in memory at most (queued and waiting for a retry).</param>
/// <param name="Owner">Who claims items: this process.</param>
/// <param name="LeaseDuration">How long a claim holds before another worker may take its items.</param>
/// <param name="ProbeNewHosts">
/// A host runs one attempt at a time until <see cref="Frontier.ClearHost"/> (a crawl clears it once its robots.txt is
/// read), so that a Crawl-delay is known before a second request starts.
/// </param>
/// <param name="HostGap">The least gap between the starts of any host's requests (<c>--wait</c>, <c>--max-rate</c>); a Crawl-delay may ask more.</param>
/// <param name="GapJitter">With <c>--random-wait</c>: a factor each gap is multiplied by, between 0.5 and 1.5; null for none.</param>
internal sealed record FrontierOptions(
    int PerHostLimit, int MaxActiveHosts, int Window, string Owner, TimeSpan LeaseDuration, bool ProbeNewHosts = false, TimeSpan HostGap = default,
    Func<double>? GapJitter = null)
{
    /// <summary>
    /// In a journal many workers share: when this worker runs out of work while others still hold items, how often it
    /// asks the journal again (an item whose worker died comes back when its lease expires). Null: the frontier ends
    /// as soon as this worker has nothing left.
    /// </summary>
    public TimeSpan? IdlePoll { get; init; }

    /// <summary>
    /// Each host's rate is kept by many workers together (a shared journal): a controller's rate is what they all send,
    /// and one worker's change of it is adopted by the others (<see cref="Frontier.Share"/>).
    /// </summary>
    public bool SharedPacing { get; init; }

    /// <summary>The first pause of a host that pushed back without Retry-After; it doubles while the push-back goes on.</summary>
    public TimeSpan PushBackPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause of a host that pushed back without Retry-After.</summary>
    public TimeSpan PushBackPauseCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause after a ban; it doubles while the ban lasts.</summary>
    public TimeSpan BanPause { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause after a ban.</summary>
    public TimeSpan BanPauseCap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest pause a host's items wait out (an item's whole budget): the items of a host paused for longer are
    /// handed out at once with <see cref="WorkItem.ClosedBy"/> set, to fail without a request instead of waiting.
    /// </summary>
    public TimeSpan MaxPause { get; init; } = TimeSpan.MaxValue;

    /// <summary>A number in [0, 1) for the jitter of pauses; tests pin it.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
}
