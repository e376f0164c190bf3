using Haul.Fetching;

namespace Haul.Tests.Fetching;

public sealed class HostReadStatsTests
{
    private static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(20);

    [Fact]
    public void UnknownHost_GetsTheCeiling()
    {
        var stats = new HostReadStats(Ceiling);

        Assert.Equal(Ceiling, stats.StallDeadline("example.org"));
    }

    [Fact]
    public void TooFewSamples_KeepTheCeiling()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < HostReadStats.MinSamples - 1; i++)
        {
            stats.Record("example.org", TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(HostReadStats.MinSamples - 1, stats.Samples("example.org"));
        Assert.Equal(Ceiling, stats.StallDeadline("example.org"));
    }

    [Fact]
    public void FastHost_GetsTheFloor()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < HostReadStats.MinSamples; i++)
        {
            stats.Record("example.org", TimeSpan.FromMilliseconds(i % 2 == 0 ? 1 : 30));
        }

        Assert.Equal(HostReadStats.Floor, stats.StallDeadline("example.org"));
    }

    [Fact]
    public void SlowSteadyHost_GetsTwiceItsNormWithinTheCeiling()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < 50; i++)
        {
            stats.Record("slow.example", TimeSpan.FromSeconds(3));
        }

        // The deviation decays towards zero, so the deadline approaches twice the steady silence.
        var deadline = stats.StallDeadline("slow.example");
        Assert.InRange(deadline, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6.5));
    }

    [Fact]
    public void JitteryHost_GetsMoreThanItsLongestUsualSilence()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < 40; i++)
        {
            stats.Record("jitter.example", TimeSpan.FromMilliseconds(i % 4 == 0 ? 2500 : 200));
        }

        Assert.True(stats.StallDeadline("jitter.example") > TimeSpan.FromSeconds(2.5), $"deadline {stats.StallDeadline("jitter.example")}");
        Assert.True(stats.StallDeadline("jitter.example") < Ceiling);
    }

    [Fact]
    public void VerySlowHost_IsCappedAtTheCeiling()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < 20; i++)
        {
            stats.Record("crawl.example", TimeSpan.FromSeconds(15));
        }

        Assert.Equal(Ceiling, stats.StallDeadline("crawl.example"));
    }

    [Fact]
    public void CeilingBelowTheFloor_IsTheDeadline()
    {
        var stats = new HostReadStats(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++)
        {
            stats.Record("example.org", TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(TimeSpan.FromSeconds(1), stats.StallDeadline("example.org"));
    }

    [Fact]
    public void Hosts_AreKeptApart()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < 20; i++)
        {
            stats.Record("fast.example", TimeSpan.FromMilliseconds(1));
            stats.Record("slow.example:8080", TimeSpan.FromSeconds(4));
        }

        Assert.Equal(HostReadStats.Floor, stats.StallDeadline("fast.example"));
        Assert.True(stats.StallDeadline("slow.example:8080") >= TimeSpan.FromSeconds(8));
        Assert.Equal(Ceiling, stats.StallDeadline("other.example"));
    }

    [Fact]
    public async Task ConcurrentRecords_CountEverySample()
    {
        var stats = new HostReadStats(Ceiling);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                stats.Record("example.org", TimeSpan.FromMilliseconds(10));
            }
        })));

        Assert.Equal(8000, stats.Samples("example.org"));
        Assert.Equal(HostReadStats.Floor, stats.StallDeadline("example.org"));
    }

    [Fact]
    public void A_stall_no_hedge_got_past_doubles_the_deadline_up_to_the_ceiling_and_clean_bodies_bring_it_back()
    {
        var stats = new HostReadStats(Ceiling);
        for (var i = 0; i < HostReadStats.MinSamples; i++)
        {
            stats.Record("h", TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(HostReadStats.Floor, stats.StallDeadline("h"));
        stats.Stalled("h");
        Assert.Equal(HostReadStats.Floor * 2, stats.StallDeadline("h"));
        for (var i = 0; i < 10; i++)
        {
            stats.Stalled("h");
        }

        Assert.Equal(Ceiling, stats.StallDeadline("h"));
        stats.Record("h", TimeSpan.FromMilliseconds(10));
        Assert.Equal(HostReadStats.Floor, stats.StallDeadline("h"));
    }
}
