using Haul.Input;
using Haul.Writing;
using Npgsql;
using NpgsqlTypes;

namespace Haul.Journal.Postgres;

/// <summary>
/// Adds a batch of requests (or of a crawl's findings) to a job inside one transaction that holds the job's add lock, by
/// the rules of <see cref="ItemAdder"/>, in a few round trips whatever the batch's size: the batch's URLs and output
/// paths are looked up in one query each, ids are drawn from the sequence at once, the new items go in by binary COPY,
/// and the items named again are updated by one statement.
/// </summary>
internal sealed class PostgresItemAdder
{
    private const string Copy = """
        COPY items (id, job_id, url, kind, state, output_path, path_key, chosen_path, expected_sha256, host, source, seen_run,
            referer, depth, barren) FROM STDIN (FORMAT BINARY)
        """;

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly long _job;
    private readonly long _run;
    private readonly long _clientNow;
    private readonly Func<JournalItem, CancellationToken, ValueTask<bool>>? _doneFileIntact;
    private readonly PostgresPathClaims _claims;
    private readonly Dictionary<string, JournalItem> _known = new(StringComparer.Ordinal);
    private readonly List<(JournalItem Item, string? PathKey)> _new = [];
    private readonly List<(long Id, int State, string? Sha, int Was, long Token)> _seen = [];
    private readonly List<(long Image, long Page, string? Alt)> _found = [];
    private readonly Queue<long> _ids = new();

    private PostgresItemAdder(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long job, long run, long clientNow,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact)
    {
        _clientNow = clientNow;
        _connection = connection;
        _transaction = transaction;
        _job = job;
        _run = run;
        _doneFileIntact = doneFileIntact;
        _claims = new PostgresPathClaims(connection, transaction, job);
    }

    /// <summary>The items of the batch, in input order, without duplicates.</summary>
    public List<JournalItem> Items { get; } = [];

    /// <summary>Requests that were not added, with their rule.</summary>
    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>Items new to the job.</summary>
    public int Inserted { get; private set; }

    /// <summary>Items of an earlier run that are to be fetched (again).</summary>
    public int Reopened { get; private set; }

    /// <summary>Items done by an earlier run whose files are intact.</summary>
    public int AlreadyDone { get; private set; }

    /// <summary>
    /// An item named again is changed only as it was read: workers go on while an add runs (the add's lock holds only
    /// adds), and an item one of them finished or claimed since must not go back to pending.
    /// </summary>
    private const string Unchanged = "items.state = s.was AND items.lease_token = s.token";

    /// <summary>The path claims of the transaction.</summary>
    public PostgresPathClaims Claims => _claims;

    /// <summary>Takes the job's add lock for the transaction: adds of one job are one at a time, on every machine.</summary>
    public static async Task<PostgresItemAdder> StartAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long job, long run, long clientNow,
        Func<JournalItem, CancellationToken, ValueTask<bool>>? doneFileIntact, CancellationToken cancellationToken)
    {
        await LockJobAsync(connection, transaction, job, cancellationToken).ConfigureAwait(false);
        return new PostgresItemAdder(connection, transaction, job, run, clientNow, doneFileIntact);
    }

    /// <summary>The job's add lock, an advisory lock held until the transaction ends (its key: the job's id, negated).</summary>
    public static async Task LockJobAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long job, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock($1);",
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = -job });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task AddAsync(IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken)
    {
        var parsed = new List<(DownloadRequest Request, string Url, string? ChosenPath)>(requests.Count);
        foreach (var request in requests)
        {
            var url = UrlNormalizer.Normalize(request.Url);
            string? chosenPath = null;
            if (request.OutputPath is { } outputPath)
            {
                if (OutputPathMapper.CheckRelative(outputPath) is { } problem)
                {
                    Skip(request, url, problem);
                    continue;
                }

                chosenPath = OutputPathMapper.SanitizeRelative(outputPath);
            }

            parsed.Add((request, url, chosenPath));
        }

        await PrepareAsync(parsed.Select(p => (p.Url, (string?)(p.ChosenPath ?? OutputPathMapper.Map(new Uri(p.Url))))), cancellationToken).ConfigureAwait(false);
        foreach (var (request, url, chosenPath) in parsed)
        {
            await AddOneAsync(request, url, chosenPath, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Adds what a crawl found, unless the job has it already; a file gets an output path and a record of the page it was
    /// found on. Returns the items new to the job, in the order found.
    /// </summary>
    public async Task<List<FoundItem>> AddFoundAsync(IReadOnlyList<FoundItem> found, long? pageId, CancellationToken cancellationToken)
    {
        var urls = found.Select(f => UrlNormalizer.Normalize(f.Url)).ToList();
        await PrepareAsync(
            found.Select((f, i) => (urls[i], f.Kind == ItemKind.File ? f.OutputPath ?? OutputPathMapper.Map(new Uri(urls[i])) : null)),
            cancellationToken).ConfigureAwait(false);
        var added = new List<FoundItem>();
        for (var i = 0; i < found.Count; i++)
        {
            var item = found[i];
            var url = urls[i];
            var existing = _known.GetValueOrDefault(url);
            long id;
            if (existing is null)
            {
                string? path = null;
                if (item.Kind == ItemKind.File)
                {
                    path = await _claims.ClaimAsync(item.OutputPath ?? OutputPathMapper.Map(new Uri(url)), url, cancellationToken).ConfigureAwait(false);
                }

                id = Insert(url, item.Kind, path, item.OutputPath, null, item.Source, item.Referer, item.Depth, item.Barren).Id;
                added.Add(item);
            }
            else
            {
                id = existing.Id;
            }

            if (item.Kind == ItemKind.File && pageId is { } page && (existing is null || existing.Kind == ItemKind.File))
            {
                _found.Add((id, page, item.Alt));
            }
        }

        return added;
    }

    /// <summary>Writes the batch: new items by COPY, items named again, new folders, and where files were found.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await _claims.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (_new.Count > 0)
        {
            var importer = await _connection.BeginBinaryImportAsync(Copy, cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                foreach (var (item, pathKey) in _new)
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Id, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(_job, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Url, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync((int)item.Kind, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync((int)ItemState.Pending, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, item.OutputPath, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, pathKey, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, item.ChosenPath, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, item.ExpectedSha256, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Host, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, item.Source, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(_run, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, item.Referer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Depth, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Barren, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await using var batch = new NpgsqlBatch(_connection, _transaction);
        if (_seen.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"""
                UPDATE items SET seen_run = $2,
                    state = CASE WHEN {Unchanged} THEN s.state ELSE items.state END,
                    expected_sha256 = CASE WHEN {Unchanged} THEN s.sha ELSE items.expected_sha256 END,
                    not_before = CASE WHEN {Unchanged} THEN 0 ELSE items.not_before END
                FROM unnest($3::bigint[], $4::int[], $5::text[], $6::int[], $7::bigint[]) AS s (id, state, sha, was, token)
                WHERE items.id = s.id AND items.job_id = $1;
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter { Value = _job },
                    new NpgsqlParameter { Value = _run },
                    new NpgsqlParameter { Value = _seen.Select(s => s.Id).ToArray() },
                    new NpgsqlParameter { Value = _seen.Select(s => s.State).ToArray() },
                    new NpgsqlParameter { Value = _seen.Select(s => s.Sha).ToArray() },
                    new NpgsqlParameter { Value = _seen.Select(s => s.Was).ToArray() },
                    new NpgsqlParameter { Value = _seen.Select(s => s.Token).ToArray() },
                },
            });
        }

        if (_found.Count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO found (image_id, page_id, alt)
                SELECT image, page, alt FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS f (image, page, alt)
                ON CONFLICT DO NOTHING;
                """)
            {
                Parameters =
                {
                    new NpgsqlParameter { Value = _found.Select(f => f.Image).ToArray() },
                    new NpgsqlParameter { Value = _found.Select(f => f.Page).ToArray() },
                    new NpgsqlParameter { Value = _found.Select(f => f.Alt).ToArray() },
                },
            });
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads the items the batch names, its paths' claims, and draws ids enough for every URL that is new.</summary>
    private async Task PrepareAsync(IEnumerable<(string Url, string? Path)> entries, CancellationToken cancellationToken)
    {
        var list = entries.ToList();
        var urls = list.Select(e => e.Url).Distinct(StringComparer.Ordinal).Where(u => !_known.ContainsKey(u)).ToArray();
        if (urls.Length > 0)
        {
            await using var find = new NpgsqlCommand(
                $"SELECT {PostgresRows.Columns} FROM items WHERE job_id = $1 AND url = ANY ($2);", _connection, _transaction);
            find.Parameters.Add(new NpgsqlParameter { Value = _job });
            find.Parameters.Add(new NpgsqlParameter { Value = urls });
            await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = PostgresRows.Read(reader, _clientNow);
                _known[item.Url] = item;
            }
        }

        var missing = urls.Count(u => !_known.ContainsKey(u));
        if (missing > 0)
        {
            await using var ids = new NpgsqlCommand(
                "SELECT nextval(pg_get_serial_sequence('items', 'id')) FROM generate_series(1, $1);", _connection, _transaction);
            ids.Parameters.Add(new NpgsqlParameter { Value = missing });
            await using var reader = await ids.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _ids.Enqueue(reader.GetInt64(0));
            }
        }

        await _claims.PrefetchAsync(
            list.Where(e => e.Path is not null && !_known.ContainsKey(e.Url)).Select(e => e.Path!), cancellationToken).ConfigureAwait(false);
    }

    private async Task AddOneAsync(DownloadRequest request, string url, string? chosenPath, CancellationToken cancellationToken)
    {
        var existing = _known.GetValueOrDefault(url);
        if (existing is null)
        {
            var path = await _claims.ClaimAsync(chosenPath ?? OutputPathMapper.Map(new Uri(url)), url, cancellationToken).ConfigureAwait(false);
            var item = Insert(url, ItemKind.File, path, chosenPath, request.ExpectedSha256, request.Source, null, 0, 0);
            Items.Add(new JournalItem
            {
                Id = item.Id,
                Url = url,
                OutputPath = path,
                ExpectedSha256 = request.ExpectedSha256,
                Host = item.Host,
                Source = request.Source,
                SeenRun = _run,
            });
            return;
        }

        // As in ItemAdder: compared with the path the first line asked for, not the one it got.
        var pathDiffers = chosenPath is not null && (existing.ChosenPath ?? existing.OutputPath) is { } earlier
            && !string.Equals(chosenPath, earlier, StringComparison.OrdinalIgnoreCase);
        var shaDiffers = request.ExpectedSha256 is not null
            && !string.Equals(request.ExpectedSha256, existing.ExpectedSha256, StringComparison.OrdinalIgnoreCase);
        if (existing.SeenRun == _run)
        {
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

        await ReviveAsync(existing, request.ExpectedSha256, cancellationToken).ConfigureAwait(false);
    }

    private JournalItem Insert(
        string url, ItemKind kind, string? path, string? chosenPath, string? expectedSha256, string? source, string? referer, int depth, int barren)
    {
        var item = new JournalItem
        {
            Id = _ids.Dequeue(),
            Url = url,
            Kind = kind,
            State = ItemState.Pending,
            OutputPath = path,
            ChosenPath = chosenPath,
            ExpectedSha256 = expectedSha256,
            Host = UrlNormalizer.HostKey(new Uri(url)),
            Source = source,
            SeenRun = _run,
            Referer = referer,
            Depth = depth,
            Barren = barren,
        };
        _new.Add((item, path is null ? null : SqliteSchema.PathKey(path)));
        _known[url] = item;
        Inserted++;
        return item;
    }

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

        _seen.Add((item.Id, (int)state, expectedSha256, (int)item.State, item.LeaseToken));
        var revived = item with { State = state, ExpectedSha256 = expectedSha256, SeenRun = _run, NotBefore = 0 };
        _known[item.Url] = revived;
        Items.Add(revived);
    }

    private void Skip(DownloadRequest request, string url, string rule) =>
        Skipped.Add(new SkippedInput(url, request.Source ?? "input", rule));

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
}
