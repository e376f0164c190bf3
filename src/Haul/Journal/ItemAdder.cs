using Haul.Input;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// Adds one batch of requests inside a transaction, with the database enforcing identity: the normalised URL is unique
/// and so is the output path (<see cref="PathClaims"/>), so the cost is that of the batch, never of the job. The first
/// line of a URL in a run wins, and a later line of the same run that disagrees with it (another output path or
/// SHA-256) is skipped with the reason. A URL already in the job from an earlier run keeps its output path; an expected
/// SHA-256 given now replaces the recorded one; a failed item gets a fresh start; a done item stays done when its file
/// is intact and matches.
/// </summary>
internal sealed class ItemAdder : IDisposable
{
    private readonly long _run;
    private readonly PathClaims _claims;
    private readonly Func<JournalItem, CancellationToken, ValueTask<bool>>? _doneFileIntact;
    private readonly SqliteCommand _find;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _insertIfFree;
    private readonly SqliteCommand _seen;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    /// <summary>New items of the batch by host, added to the aggregates once, at the end of the batch.</summary>
    private readonly Dictionary<string, int> _insertedByHost = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether the next request is tried as a new item first (one statement when it is), rather than looked up first:
    /// so while the lines are new, and no longer once one was not (a list given again).
    /// </summary>
    private bool _insertFirst = true;

    public ItemAdder(
        SqliteConnection connection, SqliteTransaction transaction, PathClaims claims, long run, string now,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact)
    {
        _run = run;
        _claims = claims;
        _connection = connection;
        _transaction = transaction;
        _doneFileIntact = doneFileIntact;
        _find = Command(connection, transaction, $"SELECT {ItemRows.Columns} FROM items WHERE url = $url;", "$url");
        _insert = InsertCommand(connection, transaction, run, now, string.Empty);
        _insertIfFree = InsertCommand(connection, transaction, run, now, "ON CONFLICT DO NOTHING");
        _seen = Command(
            connection,
            transaction,
            "UPDATE items SET seen_run = $run, state = $state, expected_sha256 = $sha, not_before = 0 WHERE id = $id;",
            "$id", "$state", "$sha");
        _seen.Parameters.AddWithValue("$run", run);
    }

    /// <summary>The items of the batch, in input order, without duplicates.</summary>
    public List<JournalItem> Items { get; } = [];

    /// <summary>Requests that were not added, with their rule.</summary>
    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>Items new to the job.</summary>
    public int Inserted { get; private set; }

    /// <summary>Items of an earlier run that are to be fetched (again): failed, or done but no longer intact or matching.</summary>
    public int Reopened { get; private set; }

    /// <summary>Items done by an earlier run whose files are intact.</summary>
    public int AlreadyDone { get; private set; }

    public async Task AddAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        var url = UrlNormalizer.Normalize(request.Url);
        string? chosenPath = null;
        if (request.OutputPath is { } outputPath)
        {
            if (OutputPathMapper.CheckRelative(outputPath) is { } problem)
            {
                Skip(request, url, problem);
                return;
            }

            chosenPath = OutputPathMapper.SanitizeRelative(outputPath);
        }

        // A new URL whose path is free costs one statement: the insert, which the unique URL and file key refuse when
        // the URL is known or the path taken; then it is looked up and claimed as if the insert had not been tried.
        if (_insertFirst && await TryInsertAsIsAsync(request, url, chosenPath, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        _find.Parameters["$url"].Value = url;
        var existing = await ReadOneAsync(_find, cancellationToken).ConfigureAwait(false);
        _insertFirst = existing is null;
        if (existing is null)
        {
            await InsertAsync(request, url, chosenPath, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Compared with the path the first line asked for, not the one it got: a suffix added to make it unique is no
        // disagreement.
        var pathDiffers = chosenPath is not null && (existing.ChosenPath ?? existing.OutputPath) is { } earlier
            && !string.Equals(chosenPath, earlier, StringComparison.OrdinalIgnoreCase);
        var shaDiffers = request.ExpectedSha256 is not null
            && !string.Equals(request.ExpectedSha256, existing.ExpectedSha256, StringComparison.OrdinalIgnoreCase);
        if (existing.SeenRun == _run)
        {
            // A second line of this run: the first one wins.
            if (pathDiffers || shaDiffers)
            {
                var field = pathDiffers ? "output path" : "sha256";
                Skip(request, url, $"duplicate of {existing.Source ?? "an earlier entry"} with a different {field}; the first one is kept");
            }

            return;
        }

        if (pathDiffers)
        {
            Skip(request, url, $"already in this job with the output path '{existing.ChosenPath ?? existing.OutputPath}'");
            return;
        }

        // This run's line says which SHA-256 the file must have, if any: one added, changed or dropped applies.
        await ReviveAsync(existing, request.ExpectedSha256, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds an item a crawl found, unless the job has it already (a page or an image found again is one item); a file
    /// gets an output path by the mirrored layout and a record of the page it was found on. Returns whether it is new.
    /// </summary>
    public async Task<bool> AddFoundAsync(FoundItem found, long? pageId, SqliteCommand recordFound, CancellationToken cancellationToken)
    {
        var url = UrlNormalizer.Normalize(found.Url);
        _find.Parameters["$url"].Value = url;
        var existing = await ReadOneAsync(_find, cancellationToken).ConfigureAwait(false);
        long id;
        if (existing is null)
        {
            var uri = new Uri(url);
            string? path = null;
            if (found.Kind == ItemKind.File)
            {
                path = await _claims.ClaimAsync(found.OutputPath ?? OutputPathMapper.Map(uri), url, cancellationToken).ConfigureAwait(false);
            }

            id = (await InsertRowAsync(_insert, url, UrlNormalizer.HostKey(uri), found.Kind, path, found.OutputPath, null, found.Source, found.Referer, found.Depth, found.Barren, cancellationToken).ConfigureAwait(false))!.Value;
        }
        else
        {
            id = existing.Id;
        }

        if (found.Kind == ItemKind.File && pageId is { } page && (existing is null || existing.Kind == ItemKind.File))
        {
            recordFound.Parameters["$image"].Value = id;
            recordFound.Parameters["$page"].Value = page;
            recordFound.Parameters["$alt"].Value = (object?)found.Alt ?? DBNull.Value;
            await recordFound.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return existing is null;
    }

    /// <summary>Adds the batch's new items to the aggregates (<c>counts</c>, <c>hosts</c>): one statement a host, not one an item.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (Inserted == 0)
        {
            return;
        }

        using var counts = _connection.CreateCommand();
        counts.Transaction = _transaction;
        counts.CommandText = "UPDATE counts SET items = items + $n WHERE state = 0;";
        counts.Parameters.AddWithValue("$n", Inserted);
        await counts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        using var hosts = _connection.CreateCommand();
        hosts.Transaction = _transaction;
        hosts.CommandText = "INSERT INTO hosts (host, pending) VALUES ($host, $n) ON CONFLICT (host) DO UPDATE SET pending = pending + excluded.pending;";
        var host = hosts.Parameters.Add("$host", SqliteType.Text);
        var count = hosts.Parameters.Add("$n", SqliteType.Integer);
        foreach (var (name, added) in _insertedByHost)
        {
            host.Value = name;
            count.Value = added;
            await hosts.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _find.Dispose();
        _insert.Dispose();
        _insertIfFree.Dispose();
        _seen.Dispose();
    }

    /// <summary>
    /// Inserts a request as a new item with the path it asks for, when that path needs no suffix; false, with nothing
    /// changed, when its URL is in the job or its path is not free as it is.
    /// </summary>
    private async Task<bool> TryInsertAsIsAsync(DownloadRequest request, string url, string? chosenPath, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        var path = chosenPath ?? OutputPathMapper.Map(uri);
        if (!await _claims.MayClaimAsIsAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var host = UrlNormalizer.HostKey(uri);
        if (await InsertRowAsync(_insertIfFree, url, host, ItemKind.File, path, chosenPath, request.ExpectedSha256, request.Source, null, 0, 0, cancellationToken).ConfigureAwait(false) is not { } id)
        {
            return false;
        }

        await _claims.ClaimedAsIsAsync(path, cancellationToken).ConfigureAwait(false);
        AddNew(request, id, url, path, host);
        return true;
    }

    private async Task InsertAsync(DownloadRequest request, string url, string? chosenPath, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        var path = await _claims.ClaimAsync(chosenPath ?? OutputPathMapper.Map(uri), url, cancellationToken).ConfigureAwait(false);
        var host = UrlNormalizer.HostKey(uri);
        var id = (await InsertRowAsync(_insert, url, host, ItemKind.File, path, chosenPath, request.ExpectedSha256, request.Source, null, 0, 0, cancellationToken).ConfigureAwait(false))!.Value;
        AddNew(request, id, url, path, host);
    }

    private void AddNew(DownloadRequest request, long id, string url, string path, string host) =>
        Items.Add(new JournalItem
        {
            Id = id,
            Url = url,
            OutputPath = path,
            ExpectedSha256 = request.ExpectedSha256,
            Host = host,
            Source = request.Source,
            SeenRun = _run,
        });

    /// <summary>
    /// Inserts an item with <paramref name="insert"/>: <see cref="_insert"/>, which fails when its URL or file key is taken,
    /// or <see cref="_insertIfFree"/>, which then gives null and changes nothing.
    /// </summary>
    private async Task<long?> InsertRowAsync(
        SqliteCommand insert, string url, string host, ItemKind kind, string? path, string? chosenPath, string? expectedSha256, string? source, string? referer, int depth,
        int barren, CancellationToken cancellationToken)
    {
        insert.Parameters["$url"].Value = url;
        insert.Parameters["$kind"].Value = (int)kind;
        insert.Parameters["$path"].Value = (object?)path ?? DBNull.Value;
        insert.Parameters["$key"].Value = path is null ? DBNull.Value : SqliteSchema.PathKey(path);
        insert.Parameters["$chosen"].Value = (object?)chosenPath ?? DBNull.Value;
        insert.Parameters["$sha"].Value = (object?)expectedSha256 ?? DBNull.Value;
        insert.Parameters["$host"].Value = host;
        insert.Parameters["$source"].Value = (object?)source ?? DBNull.Value;
        insert.Parameters["$referer"].Value = (object?)referer ?? DBNull.Value;
        insert.Parameters["$depth"].Value = depth;
        insert.Parameters["$barren"].Value = barren;
        if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not long id)
        {
            return null;
        }

        Inserted++;
        _insertedByHost[host] = _insertedByHost.GetValueOrDefault(host) + 1;
        return id;
    }

    /// <summary>An item of an earlier run named again: failed ones start afresh, done ones are kept if still intact.</summary>
    private async Task ReviveAsync(JournalItem item, string? expectedSha256, CancellationToken cancellationToken)
    {
        var state = item.State;
        if (state == ItemState.Done)
        {
            var matches = expectedSha256 is null || string.Equals(expectedSha256, item.Sha256, StringComparison.OrdinalIgnoreCase);
            var intact = matches && (_doneFileIntact is null || item.Kind == ItemKind.Page || await _doneFileIntact(item, cancellationToken).ConfigureAwait(false));
            state = intact ? ItemState.Done : ItemState.Pending;
        }
        else if (state != ItemState.Skipped)
        {
            state = ItemState.Pending;
        }

        if (state == ItemState.Done)
        {
            AlreadyDone++;
        }
        else if (item.State is ItemState.Done or ItemState.Failed)
        {
            Reopened++;
        }

        _seen.Parameters["$id"].Value = item.Id;
        _seen.Parameters["$state"].Value = (int)state;
        _seen.Parameters["$sha"].Value = (object?)expectedSha256 ?? DBNull.Value;
        await _seen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Items.Add(item with { State = state, ExpectedSha256 = expectedSha256, SeenRun = _run, NotBefore = 0 });
    }

    private void Skip(DownloadRequest request, string url, string rule) =>
        Skipped.Add(new SkippedInput(url, request.Source ?? "input", rule));

    private static async Task<JournalItem?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ItemRows.Read(reader) : null;
    }

    private static SqliteCommand InsertCommand(SqliteConnection connection, SqliteTransaction transaction, long run, string now, string onConflict)
    {
        var insert = Command(
            connection,
            transaction,
            $"""
            INSERT INTO items (url, kind, state, output_path, path_key, chosen_path, expected_sha256, host, source, seen_run,
                referer, depth, barren, updated_at)
            VALUES ($url, $kind, 0, $path, $key, $chosen, $sha, $host, $source, $run, $referer, $depth, $barren, $now) {onConflict} RETURNING id;
            """,
            "$url", "$kind", "$path", "$key", "$chosen", "$sha", "$host", "$source", "$referer", "$depth", "$barren");
        insert.Parameters.AddWithValue("$run", run);
        insert.Parameters.AddWithValue("$now", now);
        return insert;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
