using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Journal.Postgres;
using Haul.Testing;
using Npgsql;

namespace Haul.Tests.Journal;

/// <summary>
/// What only a journal many workers share does (<see cref="ISharedJobJournal"/>): heartbeats that keep leases, turns
/// of a host booked across workers, a pause one worker met holding all, fencing of a worker that lost its item.
/// </summary>
[Collection(PostgresTests.Name)]
public sealed class SharedJournalTests(PostgresCluster cluster) : IAsyncLifetime
{
    private const string Host = "example.com";
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await cluster.CreateDatabaseAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    private Task<PostgresJobJournal> OpenAsync() => PostgresJobJournal.OpenAsync(_connectionString, "job", TimeProvider.System, None);

    private static async Task<IReadOnlyList<JournalItem>> AddAsync(PostgresJobJournal journal, int count) =>
        (await journal.AddAsync([.. Enumerable.Range(0, count).Select(i => new DownloadRequest(new Uri($"http://{Host}/{i}.jpg")))], None)).Items;

    [Fact]
    public async Task A_heartbeat_keeps_a_short_lease_from_expiring()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.JoinAsync("a", "m:/a", None);
        await AddAsync(a, 3);
        Assert.Equal(3, (await a.ClaimAsync(new JournalClaim("a", Host, 0, 10, Now() + 2000), None)).Count);

        // Beats every half second carry the claims past twice their first expiry. Each renews the lease for 4 s, so that
        // the other worker's claim right after the last beat finds it held even when a slow machine takes seconds to send it.
        var renewal = TimeSpan.FromSeconds(4);
        for (var i = 0; i < 8; i++)
        {
            await Task.Delay(500);
            Assert.Equal(3, await a.HeartbeatAsync("a", renewal, None));
        }

        Assert.Empty(await b.ClaimAsync(new JournalClaim("b", Host, 0, 10, Now() + 60_000), None));
        await Task.Delay(renewal + TimeSpan.FromMilliseconds(500));
        Assert.Equal(3, (await b.ClaimAsync(new JournalClaim("b", Host, 0, 10, Now() + 60_000), None)).Count);
        Assert.Equal(0, await a.HeartbeatAsync("a", Lease, None));
    }

    [Fact]
    public async Task Turns_of_a_host_are_booked_one_gap_apart_across_workers_and_a_far_turn_is_told_not_booked()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await AddAsync(a, 4);
        var mine = await a.ClaimAsync(new JournalClaim("a", Host, 0, 2, Now() + 60_000), None);
        var theirs = await b.ClaimAsync(new JournalClaim("b", Host, 0, 2, Now() + 60_000), None);

        // Gaps of seconds: a turn is only booked, never waited for, so long gaps cost nothing, and the calls below may
        // take seconds on a slow machine before a wait leaves its slot's range.
        var longestWait = TimeSpan.FromSeconds(10);
        var first = await a.TakeTurnAsync(mine[0], Host, 2000, 0, Lease, longestWait, None);
        var second = await b.TakeTurnAsync(theirs[0], Host, null, 0, Lease, longestWait, None);
        var third = await a.TakeTurnAsync(mine[1], Host, null, 0, Lease, longestWait, None);

        Assert.True(first.Held && second.Held && third.Held);
        Assert.Equal(TimeSpan.Zero, first.Wait);
        // Each wait is its slot (0, 2 and 4 s after the first) less the time the calls took.
        Assert.InRange(second.Wait.TotalMilliseconds, 1, 2000);
        Assert.InRange(third.Wait.TotalMilliseconds, 2001, 4000);

        // A gap of 20 s, from the fourth turn (6 s on): the next is at 26 s, beyond a longest wait of 10 s; told, not booked.
        var slower = await b.TakeTurnAsync(theirs[1], Host, 20_000, 1, Lease, longestWait, None);
        var again = await b.TakeTurnAsync(theirs[1], Host, null, 0, Lease, longestWait, None);
        Assert.InRange(slower.Wait.TotalMilliseconds, 4001, 6000);
        Assert.InRange(again.Wait.TotalMilliseconds, 16_001, 26_000);
        var told = await a.TakeTurnAsync(mine[0], Host, null, 0, Lease, longestWait, None);
        Assert.InRange(told.Wait.TotalMilliseconds, 16_001, 26_000);
    }

    [Fact]
    public async Task Turns_booked_at_the_same_moment_are_one_gap_apart_and_a_far_one_is_told_not_shared()
    {
        const int Workers = 6;
        // Gaps of seconds: the bookings handed on from lock to lock need not be quick for the turns to be told apart.
        const long Gap = 2000;
        var longestWait = TimeSpan.FromSeconds(5);
        var journals = new List<PostgresJobJournal>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                journals.Add(await OpenAsync());
            }

            await AddAsync(journals[0], Workers + 1);
            var items = new List<JournalItem>();
            for (var i = 0; i < Workers; i++)
            {
                items.Add(Assert.Single(await journals[i].ClaimAsync(new JournalClaim($"w{i}", Host, 0, 1, Now() + 60_000), None)));
            }

            // The host's row exists and its last turn is past: every booking below starts from the same row.
            var opener = Assert.Single(await journals[0].ClaimAsync(new JournalClaim("w0", Host, 0, 1, Now() + 60_000), None));
            Assert.Equal(TimeSpan.Zero, (await journals[0].TakeTurnAsync(opener, Host, Gap, 0, Lease, longestWait, None)).Wait);
            await Task.Delay(TimeSpan.FromMilliseconds(Gap + 100));

            // All book while the row is locked, so that they all read it before any of them writes it.
            await using var dataSource = NpgsqlDataSource.Create(_connectionString);
            await using var holder = await dataSource.OpenConnectionAsync(None);
            await using var transaction = await holder.BeginTransactionAsync(None);
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM hosts WHERE host = $1 FOR UPDATE;", holder, transaction))
            {
                lockRow.Parameters.Add(new NpgsqlParameter { Value = Host });
                await lockRow.ExecuteNonQueryAsync(None);
            }

            var turns = items.Select((item, i) => journals[i].TakeTurnAsync(item, Host, null, 1, Lease, longestWait, None)).ToArray();
            await WaitForLockWaitersAsync(dataSource, Workers);
            await transaction.CommitAsync(None);
            var waits = (await Task.WhenAll(turns)).Select(t => t.Wait.TotalMilliseconds).ToArray();

            // Turns at 0, 2 and 4 s are booked; the others' would be 6 s off, beyond the longest wait: told, not booked.
            var booked = waits.Where(w => w <= longestWait.TotalMilliseconds).Order().ToArray();
            var told = waits.Where(w => w > longestWait.TotalMilliseconds).ToArray();
            Assert.True(booked.Length is >= 2 and <= 3, "waits: " + string.Join(", ", waits));
            Assert.Equal(Workers - booked.Length, told.Length);
            for (var i = 1; i < booked.Length; i++)
            {
                Assert.True(booked[i] - booked[i - 1] >= Gap - 100, "waits: " + string.Join(", ", waits));
            }
        }
        finally
        {
            foreach (var journal in journals)
            {
                await journal.DisposeAsync();
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> sessions wait for a lock (a bounded wait: a slow start only weakens the test).</summary>
    private static async Task WaitForLockWaitersAsync(NpgsqlDataSource dataSource, int count)
    {
        for (var i = 0; i < 200; i++)
        {
            await using var command = dataSource.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock';");
            if ((long)(await command.ExecuteScalarAsync(None))! >= count)
            {
                return;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_pause_one_worker_met_holds_the_turns_of_all()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await AddAsync(a, 2);
        var mine = await a.ClaimAsync(new JournalClaim("a", Host, 0, 1, Now() + 60_000), None);
        var theirs = await b.ClaimAsync(new JournalClaim("b", Host, 0, 1, Now() + 60_000), None);

        // The wait is the pause less the time the two calls took, which a slow machine may stretch: the lower bound is
        // measured, not assumed.
        var calls = System.Diagnostics.Stopwatch.StartNew();
        await a.CommitAsync(new HostPaused(Host, Now() + 5000, "too-many-requests"), None);
        var turn = await b.TakeTurnAsync(theirs[0], Host, null, 0, Lease, TimeSpan.FromSeconds(1), None);
        var took = calls.Elapsed.TotalMilliseconds;

        Assert.True(turn.Held);
        Assert.InRange(turn.Wait.TotalMilliseconds, 5000 - took - 100, 5100);
        Assert.Single(mine);
    }

    [Fact]
    public async Task The_first_turn_after_a_pause_the_host_asked_for_is_a_probe_and_a_refused_one_is_told_to_every_worker()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await AddAsync(a, 10);
        var mine = await a.ClaimAsync(new JournalClaim("a", Host, 0, 5, Now() + 60_000), None);
        var theirs = await b.ClaimAsync(new JournalClaim("b", Host, 0, 5, Now() + 60_000), None);

        // A pause without Retry-After makes no probe; one the host asked for makes its first turn one, whoever books it.
        await a.CommitAsync(new HostPaused(Host, Now() + 100, "service-unavailable"), None);
        Assert.False((await a.TakeTurnAsync(mine[0], Host, null, 0, Lease, TimeSpan.FromSeconds(1), None)).Probe);
        await a.CommitAsync(new HostPaused(Host, Now() + 300, "too-many-requests") { Probes = 1 }, None);
        var turns = new List<HostTurn>();
        foreach (var (journal, item) in new[] { (b, theirs[0]), (a, mine[1]), (b, theirs[1]) })
        {
            turns.Add(await journal.TakeTurnAsync(item, Host, null, 0, Lease, TimeSpan.FromSeconds(1), None));
        }

        Assert.Equal([true, false, false], turns.Select(t => t.Probe));
        Assert.All(turns, t => Assert.False(t.NoiseShown));

        // A far turn is not booked, so it is no probe and spends none.
        await a.CommitAsync(new HostPaused(Host, Now() + 5000, "too-many-requests") { Probes = 1 }, None);
        var far = await b.TakeTurnAsync(theirs[2], Host, null, 0, Lease, TimeSpan.FromSeconds(1), None);
        Assert.False(far.Probe);

        // A turn booked past the pause's end before the pause was known would spend a limit's token first: no probe.
        // (This booking, the first after the pause, is its probe; it sets a 2 s gap, so the next free turn is 7 s off.)
        Assert.True((await a.TakeTurnAsync(mine[2], Host, 2000, far.GapVersion, Lease, TimeSpan.FromSeconds(10), None)).Probe);
        await a.CommitAsync(new HostPaused(Host, Now() + 5500, "too-many-requests") { Probes = 1 }, None);
        Assert.False((await b.TakeTurnAsync(theirs[3], Host, null, 0, Lease, TimeSpan.FromSeconds(10), None)).Probe);

        // One refused probe: every worker learns of it at its next turn, and a later pause does not forget it.
        await b.CommitAsync(new HostPaused(Host, Now() + 6000, "too-many-requests") { Probes = 1, NoiseShown = true }, None);
        await a.CommitAsync(new HostPaused(Host, Now() + 6100, "too-many-requests") { Probes = 1 }, None);
        Assert.True((await a.TakeTurnAsync(mine[3], Host, null, 0, Lease, TimeSpan.FromSeconds(20), None)).NoiseShown);
        Assert.True((await b.TakeTurnAsync(theirs[4], Host, null, 0, Lease, TimeSpan.FromSeconds(20), None)).NoiseShown);
    }

    [Fact]
    public async Task Commands_that_fix_a_new_jobs_kind_at_the_same_moment_all_see_the_one_that_came_first()
    {
        var crawl = new JobDefinition(JobKind.Crawl, "{\"definition\":1}");
        var list = new JobDefinition(JobKind.List);
        for (var round = 0; round < 5; round++)
        {
            var journals = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
                PostgresJobJournal.OpenAsync(_connectionString, $"race{round}", TimeProvider.System, None)));
            try
            {
                var kept = await Task.WhenAll(journals.Select((j, i) => j.DefineAsync(i % 2 == 0 ? crawl : list, None)));

                // Every command sees the same kind, the one of whichever came first; none sees no kind.
                Assert.Single(kept.Distinct());
                Assert.Contains(kept[0], new[] { crawl, list });
                Assert.Equal(kept[0], await journals[0].ReadDefinitionAsync(None));
            }
            finally
            {
                foreach (var journal in journals)
                {
                    await journal.DisposeAsync();
                }
            }
        }

        // A job that already has items (of an older Haul, which kept no kind) is a list: it cannot become a crawl.
        await using var old = await OpenAsync();
        await AddAsync(old, 1);
        Assert.Equal(list, await old.ReadDefinitionAsync(None));
        Assert.Equal(list, await old.DefineAsync(crawl, None));
    }

    [Fact]
    public async Task A_page_is_counted_once_against_the_page_limit_whoever_admits_it_and_a_refusal_tells_the_limit()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var pages = (await a.RecordFoundAsync(
            new PageFindings([.. Enumerable.Range(0, 3).Select(i => new FoundItem(new Uri($"http://{Host}/p{i}"), ItemKind.Page))]), None)).NewPages;
        Assert.Equal(3, pages);
        var ids = (await a.ReadItemsAsync(None)).Select(i => i.Id).ToList();

        Assert.Equal(new PageAdmission(true, 1), await a.AdmitPageAsync(ids[0], 2, None));
        // The same page again, by a worker that took it over: admitted, not counted.
        Assert.True((await b.AdmitPageAsync(ids[0], 2, None)).Admitted);
        Assert.Equal(new PageAdmission(true, 2), await b.AdmitPageAsync(ids[1], 2, None));
        Assert.Equal(new PageAdmission(false, 2), await a.AdmitPageAsync(ids[2], 2, None));
        Assert.True((await a.AdmitPageAsync(ids[1], 2, None)).Admitted);
    }

    [Fact]
    public async Task The_start_pages_a_command_gave_are_told_apart_from_those_they_redirected_to()
    {
        await using var journal = await OpenAsync();
        var given = new Uri("http://example.com/gallery/");
        var target = new Uri("http://cdn.example.net/gallery/");
        await journal.RecordFoundAsync(new PageFindings([new FoundItem(given, ItemKind.Page) { Source = FoundItem.StartPageSource }]), None);
        await journal.RecordFoundAsync(new PageFindings([new FoundItem(target, ItemKind.Page) { Source = given.AbsoluteUri }]), None);

        Assert.Equal([given.AbsoluteUri, target.AbsoluteUri], await journal.ReadStartPagesAsync(None));
        Assert.Equal([given], await journal.ReadGivenStartPagesAsync(None));
    }

    [Fact]
    public async Task A_snapshot_of_the_start_pages_covers_every_item_added_before_it_and_no_later_one()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var start = new Uri($"http://{Host}/gallery/");
        await a.RecordFoundAsync(new PageFindings([new FoundItem(start, ItemKind.Page) { Source = FoundItem.StartPageSource }]), None);
        await a.RecordFoundAsync(new PageFindings([new FoundItem(new Uri($"http://{Host}/gallery/p1"), ItemKind.Page) { Depth = 1 }]), None);
        var first = await b.SnapshotStartPagesAsync(None);
        Assert.Equal([start], first.Pages);
        Assert.All(await a.ReadItemsAsync(None), item => Assert.True(item.Id <= first.KnownThrough, $"item {item.Id} above {first.KnownThrough}"));

        // A start page added later (another worker's redirect target) and a page found from it: the old snapshot does
        // not cover the page, a new one holds the start page and covers it.
        var moved = new Uri("http://cdn.example.net/gallery/");
        await a.RecordFoundAsync(new PageFindings([new FoundItem(moved, ItemKind.Page) { Source = start.AbsoluteUri }]), None);
        await a.RecordFoundAsync(new PageFindings([new FoundItem(new Uri(moved, "p2"), ItemKind.Page) { Source = moved.AbsoluteUri, Depth = 1 }]), None);
        var found = (await a.ReadItemsAsync(None)).Single(i => i.Url == new Uri(moved, "p2").AbsoluteUri);
        Assert.True(found.Id > first.KnownThrough);
        var second = await b.SnapshotStartPagesAsync(None);
        Assert.Equal([start, moved], second.Pages);
        Assert.True(found.Id <= second.KnownThrough);
    }

    [Fact]
    public async Task A_robots_txt_kept_for_the_job_gives_its_origins_items_skipped_as_unreadable_a_fresh_start()
    {
        await using var journal = await OpenAsync();
        await journal.AddAsync(
            [new DownloadRequest(new Uri("http://example.com/a.jpg")), new DownloadRequest(new Uri("http://example.com:8080/b.jpg")),
             new DownloadRequest(new Uri("http://example.com/c.jpg"))],
            None);
        await using (var connection = new NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var skip = new NpgsqlCommand(
                "UPDATE items SET state = 4, note = CASE WHEN url LIKE '%/c.jpg' THEN 'robots' ELSE 'robots-unavailable' END;", connection);
            await skip.ExecuteNonQueryAsync();
        }

        await journal.SaveRobotsAsync("http://example.com", "User-agent: *\nAllow: /\n"u8.ToArray(), None);

        // Only the origin's item skipped for want of its rules: not another port's, nor one its rules disallowed.
        var states = (await journal.ReadItemsAsync(None)).ToDictionary(i => i.Url, i => i.State);
        Assert.Equal(ItemState.Pending, states["http://example.com/a.jpg"]);
        Assert.Equal(ItemState.Skipped, states["http://example.com:8080/b.jpg"]);
        Assert.Equal(ItemState.Skipped, states["http://example.com/c.jpg"]);
    }

    [Fact]
    public async Task A_worker_whose_item_was_taken_over_is_told_so_and_cannot_finish_it()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.JoinAsync("a", "m:/a", None);
        await b.JoinAsync("b", "m:/b", None);
        await AddAsync(a, 1);
        var stale = Assert.Single(await a.ClaimAsync(new JournalClaim("a", Host, 0, 1, Now() + 300), None));
        Assert.True(await a.FinishAsync(new ItemStaged(stale.Id, 5, new string('a', 64), stale.LeaseToken), None));
        await Task.Delay(700);
        var current = Assert.Single(await b.ClaimAsync(new JournalClaim("b", Host, 0, 1, Now() + 60_000), None));

        Assert.False(await a.FinishAsync(new ItemStaged(stale.Id, 6, new string('c', 64), stale.LeaseToken), None));
        Assert.False((await a.TakeTurnAsync(stale, Host, null, 0, Lease, TimeSpan.FromSeconds(1), None)).Held);
        Assert.True((await b.TakeTurnAsync(current, Host, null, 0, Lease, TimeSpan.FromSeconds(1), None)).Held);
        Assert.False(await a.FinishAsync(new ItemDone(stale.Id, 5, new string('a', 64), LeaseToken: stale.LeaseToken), None));
        Assert.True(await b.FinishAsync(new ItemDone(current.Id, 7, new string('b', 64), LeaseToken: current.LeaseToken), None));

        var done = Assert.Single(await a.ReadItemsAsync(None));
        Assert.Equal(("m:/b", 7L), (done.Holder, done.Bytes));
        var workers = await a.ReadWorkersAsync(None);
        Assert.Equal([("a", 0L), ("b", 1L)], workers.Select(w => (w.Owner, w.FilesDone)));
    }

    [Fact]
    public async Task A_worker_whose_item_was_taken_over_changes_nothing_of_its_row()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        await a.JoinAsync("a", "m:/a", None);
        await b.JoinAsync("b", "m:/b", None);
        await AddAsync(a, 1);
        var stale = Assert.Single(await a.ClaimAsync(new JournalClaim("a", Host, 0, 1, Now() + 300), None));
        await Task.Delay(700);
        var current = Assert.Single(await b.ClaimAsync(new JournalClaim("b", Host, 0, 1, Now() + 60_000), None));

        // The first worker wakes up and goes on writing what its attempt saw, under its old claim.
        var token = stale.LeaseToken;
        a.Record(new ItemDeferred(stale.Id, Now() + 3_600_000, token));
        a.Record(new ItemStarted(stale.Id, token));
        a.Record(new ValidatorsSeen(stale.Id, "\"a\"", "Sat, 01 Jan 2024 00:00:00 GMT", 999, token));
        a.Record(new AttemptFinished(stale.Id, new AttemptRecord(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1), FailureReason.BodyStall, 200, 0, 10, "stalled"), token));
        await a.CommitAsync(new ItemStaged(stale.Id, 999, new string('a', 64), token), None);

        var untouched = Assert.Single(await b.ReadItemsAsync(None));
        Assert.Equal(
            (ItemState.Pending, 0L, (string?)null, (long?)null, 0L, (string?)null, 0, FailureReason.None),
            (untouched.State, untouched.NotBefore, untouched.ETag, untouched.TotalSize, untouched.Bytes, untouched.Sha256, untouched.Attempts, untouched.LastReason));
        Assert.Equal(1L, await CountAttemptsAsync());

        // The same updates under the current claim are applied.
        b.Record(new ItemStarted(current.Id, current.LeaseToken));
        b.Record(new ValidatorsSeen(current.Id, "\"b\"", null, 7, current.LeaseToken));
        await b.CommitAsync(new ItemStaged(current.Id, 7, new string('b', 64), current.LeaseToken), None);
        var applied = Assert.Single(await b.ReadItemsAsync(None));
        Assert.Equal((ItemState.InProgress, "\"b\"", 7L), (applied.State, applied.ETag, applied.Bytes));

        // A worker of a shared job records nothing of an item without the claim it was made under.
        Assert.Throws<ArgumentException>(() => a.Record(new ItemStarted(current.Id)));
    }

    private async Task<long> CountAttemptsAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM attempts;");
        return (long)(await command.ExecuteScalarAsync(None))!;
    }

    [Fact]
    public async Task An_idle_worker_releases_what_it_holds_and_learns_how_much_is_unfinished()
    {
        await using var a = await OpenAsync();
        await using var b = await OpenAsync();
        var items = await AddAsync(a, 3);
        await a.ClaimAsync(new JournalClaim("a", Host, 0, 3, Now() + 60_000), None);
        Assert.Empty(await b.ClaimAsync(new JournalClaim("b", Host, 0, 3, Now() + 60_000), None));

        Assert.Equal(3, await a.IdleAsync("a", None));
        var taken = await b.ClaimAsync(new JournalClaim("b", Host, 0, 3, Now() + 60_000), None);
        Assert.Equal(3, taken.Count);
        foreach (var item in taken)
        {
            await b.FinishAsync(new ItemDone(item.Id, 1, new string('c', 64), LeaseToken: item.LeaseToken), None);
        }

        Assert.Equal(0, await a.IdleAsync("a", None));
        Assert.Equal(items.Select(i => i.Id), taken.Select(i => i.Id));
    }

    [Fact]
    public async Task A_done_file_in_another_workers_folder_is_not_checked_by_this_one()
    {
        await using var a = await OpenAsync();
        await a.JoinAsync("a", "m:/a", None);
        var item = Assert.Single(await AddAsync(a, 1));
        var claimed = Assert.Single(await a.ClaimAsync(new JournalClaim("a", Host, 0, 1, Now() + 60_000), None));
        Assert.True(await a.FinishAsync(new ItemDone(item.Id, 1, new string('d', 64), LeaseToken: claimed.LeaseToken), None));

        await using var b = await OpenAsync();
        await b.JoinAsync("b", "m:/b", None);
        var checkedByB = 0;
        var again = await b.AddAsync([new DownloadRequest(new Uri($"http://{Host}/0.jpg"))], (_, _) => { checkedByB++; return ValueTask.FromResult(false); }, None);
        await using var c = await OpenAsync();
        await c.JoinAsync("c", "m:/a", None);
        var checkedByA = 0;
        var mine = await c.AddAsync([new DownloadRequest(new Uri($"http://{Host}/0.jpg"))], (_, _) => { checkedByA++; return ValueTask.FromResult(false); }, None);

        Assert.Equal((0, 1), (checkedByB, again.AlreadyDone));
        Assert.Equal((1, 0), (checkedByA, mine.AlreadyDone));
    }
}
