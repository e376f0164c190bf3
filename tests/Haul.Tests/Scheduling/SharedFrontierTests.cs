using System.Diagnostics;
using System.Reflection;
using Haul.Fetching;
using Haul.Journal;
using Haul.Scheduling;

namespace Haul.Tests.Scheduling;

/// <summary>
/// The frontier of a worker on a shared job, against a journal that plays other workers' claims: items a dead worker
/// held are taken within half a lease, on a host this worker drained too, and an item claimed anew while an older claim
/// of it is still in memory takes the older one's place.
/// </summary>
public sealed class SharedFrontierTests
{
    [Fact]
    public async Task A_dead_workers_item_on_a_host_this_worker_drained_is_taken_within_half_a_lease()
    {
        var journal = DispatchProxy.Create<ISharedJobJournal, PlayedJournal>();
        var played = (PlayedJournal)(object)journal;

        // Host a's only item is held by a dead worker for half a lease; host b always has more work. The lease is long
        // enough that the bound below, three half leases after the item is free, leaves a slow machine seconds to spare.
        var lease = TimeSpan.FromSeconds(2);
        var freeAfter = lease / 2;
        played.Claims = (claim, elapsed) => claim.Host == "a.example"
            ? (elapsed > freeAfter && claim.AfterId < 1 ? [Item(1, "a.example", 2)] : [])
            : [.. Enumerable.Range(0, claim.Limit).Select(_ => Item(played.NextId(), "b.example", 1))];
        using var frontier = Create(journal, lease);

        var clock = Stopwatch.StartNew();
        var giveUp = freeAfter + (lease * 4);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var tookA = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < giveUp && !stop.IsCancellationRequested)
            {
                WorkItem work;
                try
                {
                    work = (await frontier.NextAsync(stop.Token))!;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }

                if (work.Item.Host == "a.example")
                {
                    var took = clock.Elapsed;
                    await stop.CancelAsync();
                    return took;
                }

                await Task.Delay(50);
                frontier.Complete(work, WorkDecision.Finished, work.Host);
            }

            return TimeSpan.MaxValue;
        })));

        var bound = freeAfter + (lease * 1.5);
        Assert.True(tookA.Min() < bound, $"a's item, free after {freeAfter}, was not taken in {tookA.Min()} (bound {bound}) while b kept the worker busy");
    }

    [Fact]
    public async Task An_item_claimed_anew_while_an_older_claim_of_it_is_in_memory_is_worked_under_the_new_claim()
    {
        var journal = DispatchProxy.Create<ISharedJobJournal, PlayedJournal>();
        var played = (PlayedJournal)(object)journal;

        // The first claim gives item 1 under token 1. That lease was lost and the item given back: the next claim from
        // the host's first item gives it under token 3, once (from then on it is this worker's, and no claim gives it).
        var claims = 0;
        played.Claims = (claim, _) => claim.Host != "a.example" ? [] : Interlocked.Increment(ref claims) switch
        {
            1 => [Item(1, "a.example", 1)],
            2 when claim.AfterId < 1 => [Item(1, "a.example", 3)],
            _ => [],
        };
        using var frontier = Create(journal, lease: TimeSpan.FromMilliseconds(400));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var stale = (await frontier.NextAsync(stop.Token))!;
        Assert.Equal(1, stale.Item.LeaseToken);

        // While the old claim's attempt runs, the frontier claims again (every half lease) and gets the new claim.
        var next = frontier.NextAsync(stop.Token).AsTask();
        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref claims) < 2)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the frontier did not claim again");
            await Task.Delay(20);
        }

        await Task.Delay(100);
        Assert.False(next.IsCompleted, "the item came out twice");

        // The old claim's turn fails: the item is dropped under it, and comes out again under the new one.
        frontier.Complete(stale, WorkDecision.Abandoned, stale.Host);
        var fresh = await next.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((1L, 3L), (fresh!.Item.Id, fresh.Item.LeaseToken));
    }

    private static Frontier Create(ISharedJobJournal journal, TimeSpan lease)
    {
        var frontier = new Frontier(
            journal,
            new FrontierOptions(4, 64, 16, "me", lease) { IdlePoll = TimeSpan.FromMilliseconds(100) },
            item => new WorkItem(item, new FetchTarget(item.Id, new Uri(item.Url), "/nowhere/x", "/nowhere/x.part", null)),
            TimeProvider.System);
        frontier.InputComplete();
        return frontier;
    }

    private static JournalItem Item(long id, string host, long token) =>
        new() { Id = id, Url = $"http://{host}/{id}.jpg", Host = host, LeaseToken = token };

    /// <summary>A shared journal whose claims a test plays; it has hosts a and b, and the job is never finished.</summary>
    public class PlayedJournal : DispatchProxy
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _nextId = 100;

        public Func<JournalClaim, TimeSpan, IReadOnlyList<JournalItem>> Claims { get; set; } = (_, _) => [];

        public long NextId() => Interlocked.Increment(ref _nextId);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod!.Name switch
        {
            nameof(IJobJournal.ClaimAsync) => Task.FromResult(Claims((JournalClaim)args![0]!, _clock.Elapsed)),
            nameof(IJobJournal.ReadHostsWithWorkAsync) => Task.FromResult<IReadOnlyList<HostWork>>(
                [.. new[] { "a.example", "b.example" }.Where(h => !((IReadOnlySet<string>)args![1]!).Contains(h)).Select(h => new HostWork(h, 0, null))]),
            nameof(ISharedJobJournal.IdleAsync) => Task.FromResult(1L),
            nameof(IJobJournal.FlushAsync) => Task.CompletedTask,
            _ => throw new NotSupportedException(targetMethod.Name),
        };
    }
}
