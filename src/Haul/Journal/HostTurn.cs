namespace Haul.Journal;

/// <summary>The answer of <see cref="ISharedJobJournal.TakeTurnAsync"/>.</summary>
/// <param name="Held">The item is still this worker's: false when another worker took it over after its lease expired.</param>
/// <param name="Wait">How long to wait before the request may start: the host's booked turn, or its pause.</param>
/// <param name="Gap">The least gap in milliseconds between the host's starts that all workers keep (the latest any gave).</param>
/// <param name="GapVersion">How many times the shared gap changed: a rise is taken only from the current version.</param>
/// <param name="LastSecond">How many turns of the host all workers booked in the last whole second: what they send together.</param>
/// <param name="Leads">
/// This worker raises the host's rate for all (the longest running of the live ones); the others only cut it, so that
/// their rises do not add up.
/// </param>
/// <param name="Probe">The turn is one of the first after a pause the host asked for, which its rate limit would not refuse.</param>
/// <param name="NoiseShown">The host refused a probe, for some worker: its push-back may be noise.</param>
public readonly record struct HostTurn(
    bool Held, TimeSpan Wait, long Gap = 0, long GapVersion = 0, int LastSecond = 0, bool Leads = true, bool Probe = false, bool NoiseShown = false);
