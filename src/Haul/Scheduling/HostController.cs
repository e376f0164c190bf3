namespace Haul.Scheduling;

/// <summary>
/// One host's adaptive limits: how many of its requests may run at once, how fast they may start, and how long it is
/// left alone after pushing back. Healthy responses let the rate and the concurrency rise slowly; a 429, a 503 or a
/// reset before any response cuts them sharply and pauses the host (its <c>Retry-After</c>, or a growing pause with
/// jitter; a lone one among healthy answers only pauses); resets at connect, many in a row, are a ban: a long pause
/// that grows while the ban lasts, one probe request, then a rate well below the one that caused it, which the host
/// never exceeds again in this job. An answer far slower than the host's norm takes a connection away. An error never
/// makes a host faster. Not thread-safe: the <see cref="Frontier"/> calls it under its lock.
/// </summary>
/// <remarks>
/// The rate is found by bisection, as a host's limit is usually a token bucket the client cannot see: the lowest rate
/// that met push-back (as sent just before the refused request) bounds it from above, the highest rate held for
/// <see cref="HoldMilliseconds"/> without push-back from below, and each step goes halfway. Once the two meet, the rate
/// stays just under the bound, which drifts up slowly; push-back there lowers both. Push-back from an attempt that
/// started before the last cut says nothing new (it was sent at the old rate) and cuts nothing; neither does a lone one
/// after the rate held. Nor does a host's noise: 429s or 503s that come whatever the rate, even right after a pause,
/// where no limit refuses, and undo the cuts they caused (see <see cref="Judge"/>).
/// </remarks>
internal sealed class HostController
{
    /// <summary>How long a rate must hold without push-back before it counts as tolerated.</summary>
    internal const long HoldMilliseconds = 1000;

    /// <summary>Resets before any response, in a row, that make a ban.</summary>
    internal const int BanSignature = 3;

    /// <summary>After a ban, the host's rate stays at most this share of what it let through in the second before.</summary>
    internal const double BanHeadroom = 0.8;

    /// <summary>Push-back more frequent than this share of requests is never taken for noise.</summary>
    internal const double MaxNoiseShare = 0.25;

    /// <summary>Noise rarer than this share of requests is not worth a rule of its own.</summary>
    private const double MinNoiseShare = 0.01;

    /// <summary>
    /// Requests sent first after a pause the host asked for that no rate limit refuses: its bucket refilled during the
    /// pause (a limit that refused one of the first three would refuse more than <see cref="MaxNoiseShare"/>).
    /// </summary>
    private const int FirstAfterPause = 3;

    /// <summary>
    /// With <see cref="FrontierOptions.SharedPacing"/>: how many of a host's first turns after a pause it asked for are
    /// probes. One: a token bucket's Retry-After may promise no more than the next token, and a turn another worker
    /// booked past the pause before it was known would spend it first (the journal then makes no probe at all).
    /// </summary>
    internal const int SharedProbes = 1;

    /// <summary>Requests at the current rate below which one push-back is too little to judge by.</summary>
    private const int MinSample = 16;

    private const double MinimumRate = 0.05;

    /// <summary>The windows, in milliseconds, over which <see cref="SentBefore"/> measures what was sent before a refused request.</summary>
    private static readonly int[] SentWindows = [250, 500, 1000];

    /// <summary>With <see cref="FrontierOptions.SharedPacing"/>: a cut takes the rate all workers keep to this share of it.</summary>
    private const double SharedCut = 0.75;

    private readonly FrontierOptions _options;
    private readonly RateMeter _starts = new();
    /// <summary>When the requests the host answered were sent: a server counts arrivals, not our answers' returns.</summary>
    private readonly RateMeter _successes = new();
    private double _lower;
    private double _upper = double.PositiveInfinity;
    private double? _banCap;
    private long _holdStart;
    private long _activeSince = -1;
    private long _firstStart;
    private long _lastCut = long.MinValue / 2;
    private int _strikes;
    private long _lastPause = long.MinValue / 2;
    private int _answeredSinceCut;
    private long _lastSlow = long.MinValue / 2;

    /// <summary>The most answers a second the host gave over a few seconds, pauses included: half of it is as low as push-back cuts the rate.</summary>
    private double _bestAnswered;
    private int _answersSinceMeasure;

    /// <summary>The host's last outcomes, answers and push-backs (one a pause), whatever the rate and the pauses.</summary>
    private readonly PushBackWindow _window = new();

    /// <summary>Outcomes (answers, and push-backs one a pause) of the requests sent at the current rate.</summary>
    private int _outcomesAtRate;
    private int _pushBacksAtRate;

    /// <summary>When the last pause began; null before the first.</summary>
    private long? _pausedAt;

    /// <summary>Whether the last pause was as long as the host asked for (its <c>Retry-After</c>).</summary>
    private bool _pauseAsked;

    /// <summary>Whether the host pushed back one of the first requests after a pause: noise, which no limit does.</summary>
    private bool _noiseShown;

    /// <summary>The bounds before the first of a series of cuts, restored when the series proves to be noise.</summary>
    private (double Lower, double Upper)? _beforeCuts;

    /// <summary>The share of the host's requests that meets push-back whatever the rate; 0 until seen.</summary>
    private double _noise;
    private int _refusedInRow;
    private long _refusedSince;
    private int _pushBackInRow;
    private int _banStreak;
    private int _healthySinceChange;
    private int _throttled;
    private int _unavailable;
    private int _refused;
    private int _bans;
    private int _stalls;
    private int _slowdowns;

    public HostController(FrontierOptions options)
    {
        _options = options;
        Concurrency = options.PerHostLimit;
    }

    /// <summary>Requests a second the host is held to; null while it has never pushed back.</summary>
    public double? Rate { get; private set; }

    /// <summary>
    /// With <see cref="FrontierOptions.SharedPacing"/>: another worker raises the rate all of them keep (one does, so that
    /// rises do not add up); this controller still cuts it on push-back it meets.
    /// </summary>
    public bool Follows { get; set; }

    /// <summary>
    /// Whether the host refused one of its first requests after a pause it asked for, so that its push-back may be noise;
    /// in a shared job, set too when another worker saw it.
    /// </summary>
    public bool NoiseShown
    {
        get => _noiseShown;
        set => _noiseShown |= value;
    }

    /// <summary>With <see cref="FrontierOptions.SharedPacing"/>: requests all workers started in the last whole second.</summary>
    public double SharedSendRate { get; set; }

    /// <summary>Attempts of the host that may run at once.</summary>
    public int Concurrency { get; private set; }

    /// <summary>After a ban: one request at a time until one succeeds.</summary>
    public bool Probing { get; private set; }

    /// <summary>Whether the last pause was for a ban.</summary>
    public bool Banned { get; private set; }

    /// <summary>robots.txt's Crawl-delay for the host, in milliseconds (0 for none).</summary>
    public long CrawlDelay { get; set; }

    /// <summary>Unix milliseconds before which the host's next request must not start (its least gap).</summary>
    public long NextStart { get; set; }

    /// <summary>Whether the controller knows nothing worth keeping once the host has no work in memory.</summary>
    public bool IsPristine => Rate is null && CrawlDelay == 0 && !Events.Any && Concurrency == _options.PerHostLimit;

    /// <summary>What the host did in this run.</summary>
    public HostEvents Events => new(_throttled, _unavailable, _refused, _bans, _stalls, _slowdowns);

    /// <summary>Requests started in about the last second.</summary>
    public double RecentStarts(long now) => _starts.PerSecond(now, 1000);

    /// <summary>The least gap in milliseconds between the starts of two of the host's requests.</summary>
    public long Gap => Math.Max(FixedGap, RateGap);

    /// <summary>Whether the gap is the controller's rate, not a wait the user or robots.txt asked for.</summary>
    public bool PacedByRate => RateGap > FixedGap;

    private long FixedGap => Math.Max(CrawlDelay, (long)_options.HostGap.TotalMilliseconds);

    /// <summary>One over the rate, rounded up to whole milliseconds: rounded down, 52.8 a second would send 55.6.</summary>
    private long RateGap => Rate is { } rate ? (long)Math.Ceiling(1000 / rate) : 0;

    /// <summary>A request of the host starts at <paramref name="now"/>.</summary>
    public void Started(long now)
    {
        if (_activeSince < 0)
        {
            _activeSince = now;
            _firstStart = now;
            _holdStart = now;
        }

        _starts.Add(now);
    }

    /// <summary>
    /// What an attempt that started at <paramref name="started"/> showed; returns the pause the host must take, if any,
    /// for <paramref name="reason"/> (or <c>ban</c>). <paramref name="hedges"/> counts the stalls it got past by a hedge.
    /// </summary>
    /// <remarks>
    /// <paramref name="probe"/>: in a shared job, the attempt was sent on one of the host's first turns after a pause it
    /// asked for (counted across all workers), which no rate limit refuses.
    /// </remarks>
    public HostPause? Observe(HostSignal signal, long started, long now, TimeSpan? retryAfter, string reason, int hedges = 0, bool probe = false)
    {
        // A stall the attempt got past with a range request on a new connection is a stall the host showed all the same.
        _stalls += hedges;
        switch (signal)
        {
            case HostSignal.Healthy:
                Healthy(started, now);
                return null;
            case HostSignal.Stalled:
                _stalls++;
                return null;
            case HostSignal.Slow:
                Slow(started, now);
                return null;
            case HostSignal.Throttled:
                _throttled++;
                return RetryNow(retryAfter) ? null : PushBack(started, now, retryAfter, reason, answered: true, probe);
            case HostSignal.Unavailable:
                _unavailable++;
                return RetryNow(retryAfter) ? null : PushBack(started, now, retryAfter, reason, answered: true, probe);
            case HostSignal.Unreachable:
                _refused++;
                return PushBack(started, now, null, reason, answered: false, probe: false);
            case HostSignal.Refused:
                _refused++;
                if (Probing && started < _activeSince)
                {
                    // Sent before the ban's pause ended (in flight when the ban was seen, if in its very millisecond):
                    // the ban it shows is the one being waited out. Only the probe tells whether it lasts.
                    return null;
                }

                if (_refusedInRow++ == 0)
                {
                    _refusedSince = started;
                }

                if (started >= _lastCut && (Probing || _refusedInRow >= BanSignature))
                {
                    return Ban(now);
                }

                return PushBack(started, now, null, reason, answered: false, probe: false);
            default:
                return null;
        }
    }

    private void Healthy(long started, long now)
    {
        _successes.Add(started);
        _window.Add(false);
        _refusedInRow = 0;
        _pushBackInRow = 0;
        if (started >= _lastPause)
        {
            _strikes = 0;
        }

        if (started < _lastCut)
        {
            return;
        }

        Measure(now);
        _answeredSinceCut++;
        _outcomesAtRate++;
        Banned = false;
        if (Probing)
        {
            Probing = false;
            _banStreak = 0;
            _holdStart = now;
        }

        // Concurrency grows by one after a run of healthy answers, at most once a hold.
        if (Concurrency < _options.PerHostLimit && ++_healthySinceChange >= Concurrency * 8 && now - _lastCut >= HoldMilliseconds)
        {
            Concurrency++;
            _healthySinceChange = 0;
        }

        if (Rate is not { } rate || now - _holdStart < HoldLength)
        {
            return;
        }

        if (Follows)
        {
            // Another worker raises the shared rate; this one only cuts it, and adopts what that one finds.
            _holdStart = now;
            return;
        }

        // The rate held: it is tolerated. Go halfway to the bound, or stay when close under it.
        _lower = Math.Max(_lower, rate);
        // With no bound, the rate doubles while it binds: past twice what is sent, more says nothing.
        // (Shared by many workers, this one sends only a share, and the rate doubles while it holds.)
        var next = double.IsPositiveInfinity(_upper) ? (!_options.SharedPacing && rate > 2 * SendRate(now) ? rate : rate * 2) : (_lower + _upper) / 2;
        if (_lower >= _upper * 0.95)
        {
            // Close under the bound: stay, and let the bound drift up slowly, in case the host now allows more.
            next = _lower;
            _upper *= 1.01;
        }

        if (_banCap is { } cap)
        {
            next = Math.Min(next, cap);
        }

        if (next > rate)
        {
            // A new rate: its push-back is counted on its own.
            Rate = next;
            _outcomesAtRate = 0;
            _pushBacksAtRate = 0;
        }

        _holdStart = now;
    }

    /// <summary>
    /// An answer far slower than the host's norm: one connection fewer, at most once a hold, and no rise meanwhile. It
    /// is still an answer: it ends a run of push-back and counts as let through.
    /// </summary>
    private void Slow(long started, long now)
    {
        _successes.Add(started);
        _window.Add(false);
        Measure(now);
        _refusedInRow = 0;
        _pushBackInRow = 0;
        if (started < _lastCut)
        {
            return;
        }

        _answeredSinceCut++;
        _outcomesAtRate++;
        if (Probing)
        {
            // An answer, if a slow one: the ban is over.
            Probing = false;
            Banned = false;
            _banStreak = 0;
        }

        if (now - _lastSlow < HoldMilliseconds)
        {
            return;
        }

        _lastSlow = now;
        _holdStart = now;
        _healthySinceChange = 0;
        if (Concurrency > 1)
        {
            Concurrency--;
            _slowdowns++;
        }
    }

    private HostPause PushBack(long started, long now, TimeSpan? retryAfter, string reason, bool answered, bool probe)
    {
        // One of the first requests sent after the pause the host asked for: no rate limit refuses it. Shared by many
        // workers, those are the host's first turns across all of them (the journal marks them), not this worker's.
        var firstAfterPause = _options.SharedPacing
            ? probe
            : _pauseAsked && started >= _activeSince && _starts.CountWithin(started, started - _activeSince + 1) <= FirstAfterPause;
        if (answered && firstAfterPause)
        {
            _noiseShown = true;
        }

        // An answered push-back (429, 503) counts once a pause: the others were in flight with it, sent before the host
        // could say so.

        if (answered && started >= _lastPause)
        {
            _window.Add(true);
            if (started >= _lastCut)
            {
                _outcomesAtRate++;
                _pushBacksAtRate++;
            }
        }

        // Push-back before the rate has held, or after push-back, shows a limit: cut, unless it is the host's noise. A
        // lone one after the rate held is a fault, not a limit: it pauses the host but cuts nothing. A host that
        // answered nothing since the last cut (an outage) shows no limit either: it is paused, longer each time, and its
        // rate is left for when it is back.
        var limit = ++_pushBackInRow >= 2 || now - _holdStart < HoldLength;
        bool noise;
        if (limit && started >= _lastCut && (Rate is null || _answeredSinceCut > 0))
        {
            var verdict = answered ? Judge() : Verdict.Limit;
            noise = verdict == Verdict.Noise;
            if (verdict == Verdict.Limit)
            {
                // Sent at the current rate: the host cannot take it.
                Cut(now, started);
            }
        }
        else
        {
            noise = answered && NoiseExplains();
        }

        // Pauses without Retry-After grow while attempts sent after the last one still meet push-back.
        if (retryAfter is null && started >= _lastPause)
        {
            _strikes++;
        }

        _lastPause = now;
        var pause = retryAfter ?? Grow(_options.PushBackPause, _options.PushBackPauseCap, Math.Max(1, _strikes));
        var until = now + (long)pause.TotalMilliseconds;
        if (until > _activeSince)
        {
            _pausedAt = now;
            _pauseAsked = retryAfter is not null;
            _activeSince = until;
        }

        // The rate must hold anew once the pause ends; noise says nothing of the rate, so the hold goes on across it.
        if (!noise)
        {
            _holdStart = Math.Max(_holdStart, until);
        }

        return new HostPause(until, reason);
    }

    /// <summary>
    /// Whether answered push-back that would cut shows the host's limit or its noise. A limit (a token bucket) refuses a
    /// request only once its bucket is spent, and a pause as long as it asked for refills it: the first requests after
    /// the pause always pass, at any rate. Noise refuses any request, the first after a pause as often as the others.
    /// So push-back is taken for a limit (cut) until the host refuses one of the first <see cref="FirstAfterPause"/>
    /// requests sent after a pause; from then on, push-back between <see cref="MinNoiseShare"/> and
    /// <see cref="MaxNoiseShare"/> of the requests sent at the current rate (counted once a pause) is noise: the cuts of
    /// the series are undone (the bounds they set are forgotten, and the rate climbs back as it holds) and the share is
    /// kept as the host's noise, so that push-back within about twice that share of the host's last requests is noise
    /// too. The share alone cannot tell them apart: just over a token bucket's rate, its push-back is a small share that
    /// hardly changes from one rate to the next, as noise's. One push-back among a few requests the host otherwise
    /// answered is too soon to tell: the host is paused, nothing is cut, and the next push-back is judged on more
    /// requests. A host that answered nothing at the rate (an outage) has its connections cut as before.
    /// </summary>
    private Verdict Judge()
    {
        if (_options.SharedPacing && !_noiseShown)
        {
            // Shared by many workers, one worker's few requests tell too little to wait for: until the host refused one
            // of its first turns after a pause (a probe, counted across all workers), every push-back is taken for a
            // limit, cut by a quarter (SharedCut) from the version of the rate it saw.
            return Verdict.Limit;
        }

        if (NoiseExplains())
        {
            return Verdict.Noise;
        }

        var share = _pushBacksAtRate / (double)Math.Max(1, _outcomesAtRate);
        if (_pushBacksAtRate <= 1 && _outcomesAtRate < MinSample && _outcomesAtRate > _pushBacksAtRate)
        {
            return Verdict.Undecided;
        }

        if (!_noiseShown || share > MaxNoiseShare || share < MinNoiseShare)
        {
            // No sign of noise (a limit's push-back comes only once its bucket is spent), too frequent to be noise, or
            // so rare that it is a limit's slight excess (a rate that drifted just over it).
            return Verdict.Limit;
        }

        _noise = Math.Min(MaxNoiseShare, Math.Max(_noise, Math.Max(share, _window.Share)));
        if (_beforeCuts is { } before)
        {
            (_lower, _upper) = before;
            _beforeCuts = null;
        }

        return Verdict.Noise;
    }

    /// <summary>Whether the push-back among the host's last requests is within what its known noise explains.</summary>
    private bool NoiseExplains() =>
        _noise >= MinNoiseShare && _window.PushBacks <= (2 * _noise * _window.Count) + 2;

    /// <summary>
    /// <c>Retry-After: 0</c> (or a date already past) asks for no pause: the host is neither paused nor cut, and the
    /// item backs off on its own, as after any failure, so that such a server is not hammered either.
    /// </summary>
    private static bool RetryNow(TimeSpan? retryAfter) => retryAfter is { } wait && wait <= TimeSpan.Zero;

    private void Cut(long now, long started)
    {
        var sendRate = SentRate(now);

        // The bounds before a series of cuts, restored if the series proves to be noise.
        _beforeCuts ??= (_lower, _upper);
        double next;
        if (Rate is { } kept && _options.SharedPacing)
        {
            // Shared by many workers, the rate is kept but not measured as sent (a pause in the last second is no limit):
            // the rate that met push-back bounds the limit, and the cut is multiplicative, the rises bisect up to it.
            _upper = kept;
            next = kept * SharedCut;
            _lower = Math.Min(_lower, next);
        }
        else if (Rate is { } rate)
        {
            // Held to a rate, the host still pushed back: that rate (or what was really sent just before the refused
            // request) bounds its limit.
            var upper = Math.Min(rate, SentBefore(started));
            _upper = upper;
            if (_lower >= upper * 0.95)
            {
                // Push-back at (or just over) a rate that held: what held before does not hold now. The host is stricter
                // than it was, or the rate held only while a full bucket hid its excess (after a pause, a burst of ten
                // hides a rate ten over the limit for a second). Either way the lower bound goes well under; kept, the
                // halving steps would close in on it, over the limit, without ever reaching it.
                _lower = upper * 0.8;
            }

            next = _lower > 0 ? (_lower + upper) / 2 : upper / 2;
        }
        else
        {
            // Unpaced, requests go in bursts that no average measures well: start from a fraction of what was sent
            // (a quarter after a short burst, which mostly shows how fast Haul can go) and leave the bound unknown,
            // so that the rate doubles with each hold until the host pushes back at a paced rate.
            var shortWindow = now - Math.Max(_activeSince, started - HoldMilliseconds) < 500;
            next = sendRate * (shortWindow ? 0.25 : 0.5);
        }

        // Push-back that does not stop when the rate falls is the host's noise, not its limit: a cut goes no lower than
        // half of the most the host ever answered a second over a few seconds, its pauses included (a token bucket lets
        // through about its rate, so its limit stays above that), nor above the rate, nor above a ban's cap.
        next = Math.Max(next, _bestAnswered / 2);
        SetRate(Math.Min(Math.Min(next, Rate ?? double.PositiveInfinity), _banCap ?? double.PositiveInfinity), now);
        Concurrency = Math.Max(1, Concurrency / 2);
        _healthySinceChange = 0;
        _slowdowns++;
    }

    private HostPause Ban(long now)
    {
        _bans++;
        _banStreak++;
        _refusedInRow = 0;
        Banned = true;
        Probing = true;

        // What the host let through in the second before the ban began (the first of the resets in a row, sent before
        // the pauses they caused) is what its window allows: stay well under it, for the rest of the job. With too few
        // answers to tell (a blip, a restart), no cap is kept: the rate only falls.
        var admitted = _successes.CountWithin(_refusedSince, 1000);
        if (admitted >= 2)
        {
            _banCap = Math.Min(_banCap ?? double.PositiveInfinity, admitted * BanHeadroom);
            _upper = Math.Min(_upper, admitted);
        }

        _lower = 0;

        // A ban is no noise: what came before it is not restored.
        _beforeCuts = null;
        var target = _banCap is { } cap ? cap / 2 : (Rate ?? SendRate(now)) * 0.25;
        SetRate(Math.Min(Rate ?? double.PositiveInfinity, target), now);
        Concurrency = 1;
        _healthySinceChange = 0;
        _slowdowns++;
        var pause = Grow(_options.BanPause, _options.BanPauseCap, _banStreak);
        var until = now + (long)pause.TotalMilliseconds;
        _pausedAt = now;
        _pauseAsked = false;
        _activeSince = until;
        _holdStart = until;
        return new HostPause(until, "ban");
    }

    /// <summary>
    /// Another worker of a shared job changed the host's rate, which all of them keep: this controller takes it as its
    /// own. Lower, it met push-back at about this controller's rate, which bounds the host's limit (and push-back from
    /// requests started before is not cut for twice); higher, it held about this controller's rate, which the host
    /// tolerates.
    /// </summary>
    public void Adopt(double rate, long now)
    {
        if (Rate is not { } mine || Math.Abs(mine - rate) <= mine * 0.01)
        {
            Rate ??= Math.Max(MinimumRate, rate);
            return;
        }

        if (rate < mine)
        {
            _upper = Math.Min(_upper, mine);
            _lower = Math.Min(_lower, rate);
            SetRate(Math.Min(rate, _banCap ?? double.PositiveInfinity), now);
        }
        else
        {
            _lower = Math.Max(_lower, mine);
            Rate = Math.Min(rate, _banCap ?? double.PositiveInfinity);
            _holdStart = now;
        }
    }

    private void SetRate(double rate, long now)
    {
        Rate = Math.Max(MinimumRate, rate);
        _holdStart = now;
        _lastCut = now;
        _answeredSinceCut = 0;
        _outcomesAtRate = 0;
        _pushBacksAtRate = 0;
    }

    /// <summary>
    /// How long a rate must hold without push-back to count: longer close under the bound, where a token bucket's
    /// burst hides a small excess for a while.
    /// </summary>
    private long HoldLength => Rate is { } rate && rate >= _upper * 0.9 ? 3 * HoldMilliseconds : HoldMilliseconds;

    /// <summary>Every 16 answers, the answers a second of the last five seconds (or of the last 128 answers), for the lowest a cut may go.</summary>
    private void Measure(long now)
    {
        if (++_answersSinceMeasure >= 16)
        {
            _answersSinceMeasure = 0;
            _bestAnswered = Math.Max(_bestAnswered, _successes.PerSecond(now, Math.Clamp(now - _firstStart, 1000, 5000)));
        }
    }

    /// <summary>
    /// What the host was sent a second: by this worker, or, when many workers share the host's rate (each sending a
    /// share of it), by all of them in the last whole second.
    /// </summary>
    private double SentRate(long now) => _options.SharedPacing && SharedSendRate > 0 ? SharedSendRate : SendRate(now);

    /// <summary>
    /// Requests a second the host was sent just before the request started at <paramref name="started"/>: the most over
    /// the quarter, the half and the whole second before it. A token bucket refuses what came faster than its rate since
    /// it was last full: a lull in the window (the process stalled by a garbage collection or a starved thread pool, or
    /// no work at hand), during which the bucket refilled, would pass the burst after it for a slow rate, and a bound
    /// far under the host's limit that the rate would hardly climb back from.
    /// </summary>
    private double SentBefore(long started) =>
        Math.Max(MinimumRate, SentWindows.Max(window => _starts.CountWithin(started, window) * 1000.0 / window));

    /// <summary>
    /// Requests a second the host was sent lately, over the last second it was not paused (at least 100 ms): shortly
    /// after a pause, the requests just before it count too, so that the few sent since do not pass for the rate.
    /// </summary>
    private double SendRate(long now)
    {
        var active = Math.Max(0, now - _activeSince);
        var measured = Math.Max(MinimumRate, _starts.PerSecond(now, Math.Clamp(active, 100, 1000)));
        if (active >= 1000 || _pausedAt is not { } pausedAt)
        {
            return measured;
        }

        return Math.Max(measured, _starts.CountWithin(now, active + 1) + _starts.CountWithin(pausedAt, 1000 - active));
    }

    /// <summary>The <paramref name="n"/>th pause of a series: doubling from <paramref name="first"/> up to <paramref name="cap"/>, drawn ±25 %.</summary>
    private TimeSpan Grow(TimeSpan first, TimeSpan cap, int n)
    {
        var doubled = first.TotalMilliseconds * Math.Pow(2, Math.Min(n - 1, 30));
        var jitter = 0.75 + (_options.Random() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, doubled) * jitter);
    }

    /// <summary>What answered push-back that would cut shows.</summary>
    private enum Verdict
    {
        /// <summary>The host's limit: cut.</summary>
        Limit,

        /// <summary>The host's noise: pause only, and the rate goes on holding.</summary>
        Noise,

        /// <summary>Too soon to tell: pause only.</summary>
        Undecided,
    }
}
