using Haul.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Scheduling;

public sealed class HostSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task PerHostLimit_ThirdItemWaitsUntilALeaseIsReleased()
    {
        var scheduler = new HostScheduler<int>(2, new FakeTimeProvider());
        for (var i = 1; i <= 3; i++)
        {
            scheduler.Enqueue("a.example", i);
        }

        var first = await scheduler.NextAsync(CancellationToken.None);
        var second = await scheduler.NextAsync(CancellationToken.None);
        var third = scheduler.NextAsync(CancellationToken.None).AsTask();

        Assert.Equal([1, 2], [first!.Item, second!.Item]);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, Assert.Single(scheduler.Snapshot()).Active);

        first.Dispose();
        var lease = await third.WaitAsync(Patience);
        Assert.Equal(3, lease!.Item);
        Assert.Equal("a.example", lease.Host);
    }

    [Fact]
    public async Task OtherHost_NotHeldBackByAHostAtItsLimit()
    {
        var scheduler = new HostScheduler<string>(1, new FakeTimeProvider());
        scheduler.Enqueue("a.example", "a1");
        scheduler.Enqueue("a.example", "a2");
        scheduler.Enqueue("b.example", "b1");

        var a1 = await scheduler.NextAsync(CancellationToken.None);
        var next = await scheduler.NextAsync(CancellationToken.None).AsTask().WaitAsync(Patience);

        Assert.Equal("a1", a1!.Item);
        Assert.Equal("b1", next!.Item);
    }

    [Fact]
    public async Task SeveralHosts_ServedInTurn()
    {
        var scheduler = new HostScheduler<string>(10, new FakeTimeProvider());
        foreach (var item in new[] { "a1", "a2", "a3" })
        {
            scheduler.Enqueue("a.example", item);
        }

        scheduler.Enqueue("b.example", "b1");
        scheduler.Enqueue("b.example", "b2");
        scheduler.Enqueue("c.example", "c1");
        scheduler.CompleteAdding();

        var order = new List<string>();
        while (await scheduler.NextAsync(CancellationToken.None) is { } lease)
        {
            order.Add(lease.Item);
            lease.Dispose();
        }

        Assert.Equal(["a1", "b1", "c1", "a2", "b2", "a3"], order);
    }

    [Fact]
    public async Task PauseHost_NoItemOfItStartsUntilThePauseEnds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var scheduler = new HostScheduler<int>(4, time);
        scheduler.Enqueue("a.example", 1);
        scheduler.PauseHost("a.example", TimeSpan.FromSeconds(10));

        var next = scheduler.NextAsync(CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(next.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(scheduler.Snapshot()).PausedFor);

        time.Advance(TimeSpan.FromSeconds(1));
        var lease = await next.WaitAsync(Patience);
        Assert.Equal(1, lease!.Item);
        Assert.Null(Assert.Single(scheduler.Snapshot()).PausedFor);
    }

    [Fact]
    public async Task PauseHost_ShorterPauseDoesNotCutALongerOne()
    {
        var time = new FakeTimeProvider();
        var scheduler = new HostScheduler<int>(4, time);
        scheduler.Enqueue("a.example", 1);
        scheduler.PauseHost("a.example", TimeSpan.FromSeconds(10));
        scheduler.PauseHost("a.example", TimeSpan.FromSeconds(2));

        var next = scheduler.NextAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.False(next.IsCompleted);
        Assert.Equal(TimeSpan.FromSeconds(7), Assert.Single(scheduler.Snapshot()).PausedFor);
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(1, (await next.WaitAsync(Patience))!.Item);
    }

    [Fact]
    public async Task PausedHost_OtherHostsStillServed()
    {
        var time = new FakeTimeProvider();
        var scheduler = new HostScheduler<string>(4, time);
        scheduler.Enqueue("a.example", "a1");
        scheduler.Enqueue("b.example", "b1");
        scheduler.PauseHost("a.example", TimeSpan.FromMinutes(1));

        var lease = await scheduler.NextAsync(CancellationToken.None).AsTask().WaitAsync(Patience);

        Assert.Equal("b1", lease!.Item);
    }

    [Fact]
    public async Task CompleteAdding_NextReturnsNullOnlyOnceActiveWorkIsReleased()
    {
        var scheduler = new HostScheduler<int>(4, new FakeTimeProvider());
        scheduler.Enqueue("a.example", 1);
        scheduler.CompleteAdding();
        var lease = await scheduler.NextAsync(CancellationToken.None);

        var end = scheduler.NextAsync(CancellationToken.None).AsTask();
        Assert.False(end.IsCompleted);

        lease!.Dispose();
        lease.Dispose();
        Assert.Null(await end.WaitAsync(Patience));
        Assert.Equal(0, Assert.Single(scheduler.Snapshot()).Active);
    }

    [Fact]
    public async Task NextAsync_Cancelled_Throws()
    {
        var scheduler = new HostScheduler<int>(4, new FakeTimeProvider());
        using var cancel = new CancellationTokenSource();
        var next = scheduler.NextAsync(cancel.Token).AsTask();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Patience));
    }
}
