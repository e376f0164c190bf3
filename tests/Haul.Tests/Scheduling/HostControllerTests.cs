using Haul.Scheduling;

namespace Haul.Tests.Scheduling;

/// <summary>The adaptive controller's rules, on a clock the test moves: no sockets, no timers.</summary>
public sealed class HostControllerTests
{
    private static readonly FrontierOptions Options = new(4, 64, 16, "test", TimeSpan.FromMinutes(1)) { Random = () => 0.5 };

    private long _now = 1_000_000;

    /// <summary>Starts <paramref name="count"/> requests evenly over <paramref name="milliseconds"/>, each answered with <paramref name="signal"/>.</summary>
    private HostPause? Run(HostController controller, int count, long milliseconds, HostSignal signal, TimeSpan? retryAfter = null)
    {
        HostPause? pause = null;
        for (var i = 0; i < count; i++)
        {
            var started = _now;
            controller.Started(started);
            _now += Math.Max(1, milliseconds / count);
            pause = controller.Observe(signal, started, _now, retryAfter, "test") ?? pause;
        }

        return pause;
    }

    [Fact]
    public void A_healthy_host_is_never_held_to_a_rate()
    {
        var controller = new HostController(Options);
        Assert.Null(Run(controller, 5000, 5000, HostSignal.Healthy));
        Assert.Null(controller.Rate);
        Assert.Equal(4, controller.Concurrency);
        Assert.True(controller.IsPristine);
    }

    [Fact]
    public void Push_back_after_push_back_cuts_the_rate_and_the_concurrency_and_pauses_for_the_retry_after()
    {
        var controller = new HostController(Options);
        Run(controller, 100, 100, HostSignal.Healthy);

        // Three requests sent together, all answered 429: one cut, not three.
        var started = _now;
        for (var i = 0; i < 3; i++)
        {
            controller.Started(started);
        }

        _now += 5;
        HostPause? pause = null;
        for (var i = 0; i < 3; i++)
        {
            pause = controller.Observe(HostSignal.Throttled, started, _now, TimeSpan.FromSeconds(2), "test");
        }

        Assert.NotNull(pause);
        Assert.Equal(_now + 2000, pause.Value.Until);
        Assert.NotNull(controller.Rate);
        Assert.True(controller.Rate < 1000, $"rate {controller.Rate}");
        Assert.Equal(2, controller.Concurrency);
        Assert.Equal(3, controller.Events.Throttled);
        Assert.Equal(1, controller.Events.Slowdowns);
    }

    [Fact]
    public void An_error_never_makes_a_host_faster()
    {
        var random = new Random(7);
        var controller = new HostController(Options);
        var signals = new[] { HostSignal.Healthy, HostSignal.Healthy, HostSignal.Throttled, HostSignal.Unavailable, HostSignal.Refused, HostSignal.Stalled, HostSignal.Slow };
        for (var i = 0; i < 20_000; i++)
        {
            var signal = signals[random.Next(signals.Length)];
            var before = (controller.Rate ?? double.PositiveInfinity, controller.Concurrency);
            var started = _now - random.Next(0, 2000);
            controller.Started(_now);
            _now += random.Next(0, 50);
            controller.Observe(signal, started, _now, random.Next(3) == 0 ? TimeSpan.FromSeconds(1) : null, "test");
            if (signal != HostSignal.Healthy)
            {
                Assert.True((controller.Rate ?? double.PositiveInfinity) <= before.Item1, $"step {i}: {signal} raised the rate from {before.Item1} to {controller.Rate}");
                Assert.True(controller.Concurrency <= before.Item2, $"step {i}: {signal} raised the concurrency");
            }
        }
    }

    [Fact]
    public void A_lone_push_back_after_the_rate_held_pauses_but_cuts_nothing_and_retry_after_zero_does_neither()
    {
        var controller = new HostController(Options with { PushBackPause = TimeSpan.FromSeconds(1) });
        Run(controller, 2000, 2000, HostSignal.Healthy);

        Assert.Null(Run(controller, 20, 20, HostSignal.Unavailable, TimeSpan.Zero));
        Run(controller, 2000, 2000, HostSignal.Healthy);
        Assert.Equal(1000, Run(controller, 1, 1, HostSignal.Unavailable)!.Value.Until - _now);
        Assert.Null(controller.Rate);
        Assert.Equal(4, controller.Concurrency);
        Assert.Equal(21, controller.Events.Unavailable);
    }

    [Fact]
    public void Pauses_without_retry_after_grow_while_the_host_keeps_pushing_back_and_stop_at_the_cap()
    {
        var controller = new HostController(Options with { PushBackPause = TimeSpan.FromSeconds(1), PushBackPauseCap = TimeSpan.FromSeconds(30) });
        var pauses = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            var pause = Run(controller, 1, 1, HostSignal.Unavailable)!.Value;
            pauses.Add(pause.Until - _now);
            _now = pause.Until;
        }

        Assert.Equal([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000], pauses);
        Run(controller, 1, 1, HostSignal.Healthy);
        Assert.Equal(1000, Run(controller, 1, 1, HostSignal.Unavailable)!.Value.Until - _now);
    }

    [Fact]
    public void Resets_at_connect_in_a_row_are_a_ban_waited_out_with_one_probe_then_a_rate_well_under_what_the_host_let_through()
    {
        var controller = new HostController(Options with { BanPause = TimeSpan.FromSeconds(5) });
        Run(controller, 40, 200, HostSignal.Healthy);
        Run(controller, 2, 2, HostSignal.Refused);
        Assert.Equal(0, controller.Events.Bans);

        var ban = Run(controller, 1, 1, HostSignal.Refused)!.Value;
        Assert.Equal("ban", ban.Reason);
        Assert.Equal(5000, ban.Until - _now);
        Assert.True(controller.Probing);
        Assert.True(controller.Rate <= 40 * HostController.BanHeadroom, $"rate {controller.Rate} after 40 requests a second were let through");

        // The probe fails: the ban lasts, and the next pause is longer.
        _now = ban.Until;
        var again = Run(controller, 1, 1, HostSignal.Refused)!.Value;
        Assert.Equal(10_000, again.Until - _now);
        Assert.Equal(2, controller.Events.Bans);

        // The probe succeeds; the rate grows back but never above the cap the ban set.
        _now = again.Until;
        Run(controller, 1, 1, HostSignal.Healthy);
        Assert.False(controller.Probing);
        Run(controller, 3000, 120_000, HostSignal.Healthy);
        Assert.InRange(controller.Rate!.Value, 1, 40 * HostController.BanHeadroom);
    }

    [Fact]
    public void Resets_of_requests_sent_in_the_millisecond_the_ban_was_seen_are_that_ban_not_a_second()
    {
        var controller = new HostController(Options with { BanPause = TimeSpan.FromSeconds(5) });
        Run(controller, 40, 200, HostSignal.Healthy);
        Run(controller, 2, 2, HostSignal.Refused);

        // One request starts in the very millisecond the third reset arrives, just before it is observed.
        var started = _now;
        controller.Started(started);
        controller.Started(started);
        var ban = controller.Observe(HostSignal.Refused, started, started, null, "test")!.Value;
        Assert.Equal("ban", ban.Reason);

        Assert.Null(controller.Observe(HostSignal.Refused, started, started + 3, null, "test"));
        Assert.Equal(1, controller.Events.Bans);
        Assert.True(controller.Probing);

        // The probe, sent once the pause is over, still decides.
        _now = ban.Until;
        Assert.Equal("ban", Run(controller, 1, 1, HostSignal.Refused)!.Value.Reason);
        Assert.Equal(2, controller.Events.Bans);
    }

    [Fact]
    public void Answers_far_slower_than_the_norm_take_a_connection_away_at_most_once_a_hold_and_healthy_ones_give_it_back()
    {
        var controller = new HostController(Options);
        Run(controller, 100, 2000, HostSignal.Healthy);

        Run(controller, 10, 100, HostSignal.Slow);
        Assert.Equal(3, controller.Concurrency);
        Run(controller, 1, 1000, HostSignal.Slow);
        Assert.Equal(2, controller.Concurrency);
        Assert.Null(controller.Rate);

        Run(controller, 200, 10_000, HostSignal.Healthy);
        Assert.Equal(4, controller.Concurrency);
    }

    /// <summary>
    /// Simulates a host one request at a time: requests start as the controller's gap and pauses allow (at most 200 a
    /// second), and <paramref name="answer"/> says how each is answered; returns the requests a second answered
    /// healthy over the last half of <paramref name="seconds"/>.
    /// </summary>
    private double Simulate(HostController controller, int seconds, Func<long, HostSignal> answer) => Simulate(controller, seconds, answer, paced: true);

    /// <summary>As <see cref="Simulate(HostController, int, Func{long, HostSignal})"/>, with a <c>Retry-After</c> of <paramref name="retryAfterSeconds"/> on push-back.</summary>
    private double Simulate(HostController controller, int seconds, Func<long, HostSignal> answer, int retryAfterSeconds) =>
        Simulate(controller, seconds, answer, paced: true, retryAfterSeconds);

    /// <summary>As <see cref="Simulate(HostController, int, Func{long, HostSignal})"/>; unpaced, only the pauses are kept: what the host allows at most.</summary>
    private double Simulate(HostController controller, int seconds, Func<long, HostSignal> answer, bool paced, int retryAfterSeconds = 1)
    {
        var end = _now + (seconds * 1000L);
        var half = _now + (seconds * 500L);
        var healthy = 0;
        while (_now < end)
        {
            var started = _now;
            controller.Started(started);
            var signal = answer(started);
            var pause = controller.Observe(signal, started, started + 1, signal == HostSignal.Healthy ? null : TimeSpan.FromSeconds(retryAfterSeconds), "test");
            if (signal == HostSignal.Healthy && started >= half)
            {
                healthy++;
            }

            _now = Math.Max(started + Math.Max(5, paced ? controller.Gap : 0), pause?.Until ?? 0);
        }

        return healthy / (seconds / 2.0);
    }

    [Fact]
    public void A_host_that_answers_a_share_of_requests_429_whatever_the_rate_is_not_slowed_to_a_crawl()
    {
        var random = new Random(3);
        var controller = new HostController(Options);
        var rate = Simulate(controller, 120, _ => random.NextDouble() < 0.11 ? HostSignal.Throttled : HostSignal.Healthy);

        // Each 429 pauses the host for its Retry-After (a second), which alone allows about 8 answers a second. Slowing
        // down does not make such 429s fewer, so the controller goes no lower than half of what the host answered (and
        // none at all once a 429 among the first requests after a pause shows them to be noise).
        var floor = 8 / 2.0;
        Assert.True((controller.Rate ?? double.PositiveInfinity) >= floor * 0.8, $"held to {controller.Rate:0.0} requests a second");
        Assert.True(rate >= 2, $"healthy answers a second at the end: {rate:0.0}");
    }

    [Theory]
    [InlineData(0.02)]
    [InlineData(0.03)]
    [InlineData(0.05)]
    public void A_host_that_answers_a_few_percent_429_at_any_rate_keeps_about_the_rate_it_has_unconstrained(double share)
    {
        // What the host allows when only its pauses are honoured: the same 429s, the same Retry-After, no cut.
        var random = new Random(11);
        var unconstrained = Simulate(new HostController(Options), 120, _ => random.NextDouble() < share ? HostSignal.Throttled : HostSignal.Healthy, paced: false);

        random = new Random(11);
        var controller = new HostController(Options);
        var rate = Simulate(controller, 120, _ => random.NextDouble() < share ? HostSignal.Throttled : HostSignal.Healthy);

        Assert.True(controller.Events.Throttled > 50, $"only {controller.Events.Throttled} 429s: the test proves nothing");
        Assert.True(rate >= 0.85 * unconstrained, $"healthy answers a second at the end: {rate:0.0}, unconstrained {unconstrained:0.0}; held to {controller.Rate:0.0} req/s");
        // Above about 1 / (share × pause), the pauses take most of the time and the rate matters little; it is not cut far.
        Assert.True((controller.Rate ?? double.PositiveInfinity) >= 80, $"held to {controller.Rate:0.0} requests a second; unconstrained it sends 200");
    }

    [Fact]
    public void A_cut_that_does_not_make_push_back_rarer_is_undone_and_the_rate_climbs_back()
    {
        // 4 % of requests answered 429 whatever the rate, one request every 10 ms (100 a second) as long as it is allowed.
        var random = new Random(5);
        var controller = new HostController(Options);
        var lowest = double.PositiveInfinity;
        var end = _now + 60_000;
        while (_now < end)
        {
            var started = _now;
            controller.Started(started);
            var signal = random.NextDouble() < 0.04 ? HostSignal.Throttled : HostSignal.Healthy;
            var pause = controller.Observe(signal, started, started + 1, signal == HostSignal.Healthy ? null : TimeSpan.FromSeconds(1), "test");
            lowest = Math.Min(lowest, controller.Rate ?? double.PositiveInfinity);
            _now = Math.Max(started + Math.Max(10, controller.Gap), pause?.Until ?? 0);
        }

        // Cut at first (nothing tells the first 429s from a limit), then back up: the dent recovers.
        Assert.True(controller.Events.Slowdowns >= 1, "never cut: the test proves nothing");
        Assert.True(lowest < 100, $"lowest rate {lowest:0.0}");
        Assert.True((controller.Rate ?? double.PositiveInfinity) >= 90, $"held to {controller.Rate:0.0} requests a second at the end (it sends 100), lowest {lowest:0.0}");
    }

    [Fact]
    public void Shared_by_many_workers_a_noisy_host_is_cut_only_until_it_refuses_a_probe_turn()
    {
        var shared = Options with { SharedPacing = true };

        // 5 % of requests answered 429 (Retry-After 1 s) whatever the rate, one every 10 ms as long as it is allowed. The
        // journal marks the host's first three turns after each pause as probes; without them, every 429 is a limit.
        double RunShared(bool probes)
        {
            var random = new Random(7);
            var controller = new HostController(shared);
            var probesLeft = 0;
            var end = _now + 60_000;
            while (_now < end)
            {
                var started = _now;
                controller.Started(started);
                var probe = probes && probesLeft > 0;
                probesLeft = Math.Max(0, probesLeft - 1);
                var signal = random.NextDouble() < 0.05 ? HostSignal.Throttled : HostSignal.Healthy;
                var pause = controller.Observe(signal, started, started + 1, signal == HostSignal.Healthy ? null : TimeSpan.FromSeconds(1), "test", probe: probe);
                if (pause is not null)
                {
                    probesLeft = HostController.SharedProbes;
                }

                _now = Math.Max(started + Math.Max(10, controller.Gap), pause?.Until ?? 0);
            }

            Assert.Equal(probes, controller.NoiseShown);
            return controller.Rate ?? double.PositiveInfinity;
        }

        var withoutProbes = RunShared(probes: false);
        var withProbes = RunShared(probes: true);

        Assert.True(withoutProbes < 50, $"without probes held to {withoutProbes:0.0} requests a second: the test proves nothing");
        Assert.True(withProbes >= 90, $"held to {withProbes:0.0} requests a second at the end (it sends 100); without probes {withoutProbes:0.0}");
    }

    [Fact]
    public void Push_back_taken_for_noise_still_pauses_the_host_for_its_retry_after_and_cuts_nothing()
    {
        var random = new Random(23);
        var controller = new HostController(Options);
        Simulate(controller, 60, _ => random.NextDouble() < 0.03 ? HostSignal.Throttled : HostSignal.Healthy);
        Run(controller, 50, 250, HostSignal.Healthy);
        var rate = controller.Rate ?? double.PositiveInfinity;
        var slowdowns = controller.Events.Slowdowns;

        var pause = Run(controller, 1, 1, HostSignal.Throttled, TimeSpan.FromSeconds(7));

        Assert.Equal(_now + 7000, pause!.Value.Until);
        Assert.Equal(slowdowns, controller.Events.Slowdowns);
        Assert.Equal(rate, controller.Rate ?? double.PositiveInfinity);
    }

    [Theory]
    [InlineData(50, 1)]
    [InlineData(40, 2)]
    public void A_token_bucket_host_is_held_just_under_its_rate(double limit, int retryAfterSeconds)
    {
        // Each pause refills the bucket (a burst of 10): far above its rate, its 429s come about one request in ten
        // whatever the rate, as noise would; only near the rate do they stop.
        var tokens = 10.0;
        var last = _now;
        var controller = new HostController(Options);
        var rate = Simulate(controller, 120, retryAfterSeconds: retryAfterSeconds, answer: now =>
        {
            tokens = Math.Min(11, tokens + ((now - last) * limit / 1000));
            last = now;
            if (tokens < 1)
            {
                return HostSignal.Throttled;
            }

            tokens--;
            return HostSignal.Healthy;
        });

        Assert.InRange(rate, 0.8 * limit, limit * 1.05);
    }
}
