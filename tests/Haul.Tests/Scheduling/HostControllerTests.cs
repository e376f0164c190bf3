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
        var signals = new[] { HostSignal.Healthy, HostSignal.Healthy, HostSignal.Throttled, HostSignal.Unavailable, HostSignal.Refused, HostSignal.Stalled };
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
        var controller = new HostController(Options);
        Run(controller, 2000, 2000, HostSignal.Healthy);

        Assert.Null(Run(controller, 1, 1, HostSignal.Unavailable, TimeSpan.Zero));
        Assert.NotNull(Run(controller, 1, 1, HostSignal.Unavailable, TimeSpan.FromSeconds(1)));
        Assert.Null(controller.Rate);
        Assert.Equal(4, controller.Concurrency);
        Assert.Equal(2, controller.Events.Unavailable);
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
}
