using Haul.Fetching;
using Haul.Input;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>The frontier's side of the contract: leases, fencing tokens, host pauses.</summary>
public abstract partial class JobJournalContract
{
    private const string Host = "example.com";

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task<IReadOnlyList<JournalItem>> AddItemsAsync(IJobJournal journal, int count) =>
        (await journal.AddAsync([.. Enumerable.Range(0, count).Select(i => new DownloadRequest(new Uri($"http://{Host}/{i}.jpg")))], None)).Items;

    [Fact]
    public async Task Claim_NeverHandsOutAnItemUnderAnotherOwnersUnexpiredLease()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        var items = await AddItemsAsync(journal, 10);

        var first = await journal.ClaimAsync(new JournalClaim("a", Host, 0, 6, Now() + 60_000), None);
        var second = await journal.ClaimAsync(new JournalClaim("b", Host, 0, 10, Now() + 60_000), None);
        var again = await journal.ClaimAsync(new JournalClaim("a", Host, 0, 10, Now() + 60_000), None);

        Assert.Equal(items.Take(6).Select(i => i.Id), first.Select(i => i.Id));
        Assert.Equal(items.Skip(6).Select(i => i.Id), second.Select(i => i.Id));
        Assert.Empty(again);
        Assert.Empty(await journal.ClaimAsync(new JournalClaim("c", Host, 0, 10, Now() + 60_000), None));
    }

    [Fact]
    public async Task ExpiredLease_ItsItemsAreClaimedByAnotherOwnerWithNewTokens()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        await AddItemsAsync(journal, 3);
        // A lease long enough to outlast the next claim on a slow machine, short enough to wait out.
        const int Lease = 2000;
        var first = await journal.ClaimAsync(new JournalClaim("a", Host, 0, 10, Now() + Lease), None);
        Assert.Equal(3, first.Count);
        Assert.Empty(await journal.ClaimAsync(new JournalClaim("b", Host, 0, 10, Now() + 60_000), None));

        await Task.Delay(Lease + 400);
        var taken = await journal.ClaimAsync(new JournalClaim("b", Host, 0, 10, Now() + 60_000), None);

        Assert.Equal(first.Select(i => i.Id), taken.Select(i => i.Id));
        Assert.All(taken, i => Assert.True(i.LeaseToken > first.Single(f => f.Id == i.Id).LeaseToken));
        Assert.Empty(await journal.ClaimAsync(new JournalClaim("a", Host, 0, 10, Now() + 60_000), None));
    }

    [Fact]
    public async Task FinishUnderAStaleToken_ChangesNothingAndSaysSo()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        await AddItemsAsync(journal, 1);
        var stale = Assert.Single(await journal.ClaimAsync(new JournalClaim("a", Host, 0, 1, Now() + 300), None));
        await Task.Delay(700);
        var current = Assert.Single(await journal.ClaimAsync(new JournalClaim("b", Host, 0, 1, Now() + 60_000), None));

        Assert.False(await journal.FinishAsync(new ItemDone(stale.Id, 5, ShaA, LeaseToken: stale.LeaseToken), None));
        Assert.False(await journal.FinishAsync(new ItemFailed(stale.Id, FailureReason.NotFound, 404, LeaseToken: stale.LeaseToken), None));
        Assert.False(await journal.FinishAsync(new ItemSkipped(stale.Id, "robots", stale.LeaseToken), None));
        var untouched = Assert.Single(await journal.ReadItemsAsync(None));
        Assert.Equal((ItemState.Pending, 0L, null), (untouched.State, untouched.Bytes, untouched.Sha256));

        Assert.True(await journal.FinishAsync(new ItemDone(current.Id, 7, ShaB, LeaseToken: current.LeaseToken), None));
        journal.Record(new ItemFailed(stale.Id, FailureReason.NotFound, 404, LeaseToken: stale.LeaseToken));
        journal.Record(new ItemDone(stale.Id, 5, ShaA, LeaseToken: stale.LeaseToken));
        await journal.FlushAsync(None);
        var done = Assert.Single(await journal.ReadItemsAsync(None));
        Assert.Equal((ItemState.Done, 7L, ShaB), (done.State, done.Bytes, done.Sha256));
        Assert.Equal(1, (await journal.ReadCountsAsync(None)).Items(ItemState.Done));
    }

    [Fact]
    public async Task ConcurrentClaimsOfManyOwners_NeverShareAnItem()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        var items = await AddItemsAsync(journal, 400);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(owner => Task.Run(async () =>
        {
            var mine = new List<long>();
            while (true)
            {
                var batch = await journal.ClaimAsync(new JournalClaim($"owner-{owner}", Host, 0, 7, Now() + 60_000), None);
                if (batch.Count == 0)
                {
                    return mine;
                }

                mine.AddRange(batch.Select(i => i.Id));
            }
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(items.Select(i => i.Id).Order(), all.Order());
    }

    [Fact]
    public async Task HostPause_ReadBackAsTheSameDelayFromNow()
    {
        using var folder = new TempFolder();
        await using var journal = await OpenAsync(folder);
        await journal.AddAsync([new DownloadRequest(new Uri("http://paused.example/a.jpg")), new DownloadRequest(new Uri("http://free.example/a.jpg"))], None);

        await journal.CommitAsync(new HostPaused("paused.example", Now() + 60_000, "too-many-requests"), None);
        var hosts = await journal.ReadHostsWithWorkAsync(10, new HashSet<string>(), None);

        Assert.Equal(["free.example", "paused.example"], hosts.Select(h => h.Host));
        Assert.Equal(0, hosts[0].NotBefore);
        Assert.InRange(hosts[1].NotBefore - Now(), 50_000, 60_000);
        Assert.Equal("too-many-requests", hosts[1].Reason);
        Assert.Equal(["paused.example"], (await journal.ReadHostsWithWorkAsync(10, new HashSet<string> { "free.example" }, None)).Select(h => h.Host));
    }
}
