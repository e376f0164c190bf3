using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// The journal's tables, and the migrations that bring a journal written by an earlier Haul up to date. The version
/// is SQLite's <c>user_version</c>; a journal is only ever moved forward.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version this Haul writes.</summary>
    public const int Version = 5;

    private const string Pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        """;

    /// <summary>
    /// Version 0: the first journal (skipped input lines were items in state 4). Its <c>output_path</c> was UNIQUE; a
    /// new journal leaves that to the case-insensitive <c>path_key</c> of version 2, one index fewer to keep.
    /// </summary>
    private const string Version0 = """
        CREATE TABLE IF NOT EXISTS items (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind INTEGER NOT NULL,
            state INTEGER NOT NULL,
            output_path TEXT,
            expected_sha256 TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_reason TEXT,
            last_status INTEGER,
            bytes INTEGER NOT NULL DEFAULT 0,
            total_size INTEGER,
            etag TEXT,
            last_modified TEXT,
            sha256 TEXT,
            note TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS attempts (
            item_id INTEGER NOT NULL REFERENCES items (id),
            started_at TEXT NOT NULL,
            elapsed_ms INTEGER NOT NULL,
            reason TEXT NOT NULL,
            status INTEGER,
            range_start INTEGER,
            bytes INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS attempts_item ON attempts (item_id);
        CREATE INDEX IF NOT EXISTS items_state ON items (state);
        """;

    /// <summary>
    /// Version 1: failure details; the staged record of what a verified file at the final path must be
    /// (<c>sha256</c>, <c>bytes</c>), its modification time once done, a kept backup; skipped input lines in a table
    /// of their own, so that a line can be skipped although its URL is an item.
    /// </summary>
    private const string Version1 = """
        ALTER TABLE items ADD COLUMN last_detail TEXT;
        ALTER TABLE items ADD COLUMN file_modified INTEGER;
        ALTER TABLE items ADD COLUMN backup_path TEXT;
        ALTER TABLE attempts ADD COLUMN detail TEXT;
        CREATE TABLE skipped (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            entry TEXT NOT NULL,
            rule TEXT NOT NULL,
            UNIQUE (source, entry)
        );
        INSERT OR IGNORE INTO skipped (source, entry, rule)
            SELECT CASE WHEN instr(note, ': ') > 0 THEN substr(note, 1, instr(note, ': ') - 1) ELSE '' END,
                   url,
                   CASE WHEN instr(note, ': ') > 0 THEN substr(note, instr(note, ': ') + 2) ELSE coalesce(note, '') END
            FROM items WHERE state = 4;
        DELETE FROM items WHERE state = 4;
        """;

    /// <summary>
    /// Version 2: the journal is the frontier. Each item knows its host and the time before which it must not start (a
    /// backoff or a server's Retry-After), its lease (owner, fencing token, expiry), the input line it came from and the
    /// run that last named it; output paths are claimed by unique keys (<c>path_key</c>, case-insensitive, and the
    /// <c>folders</c> table); <c>hosts</c> holds each host's pause and its count of unfinished items and <c>counts</c>
    /// the items and bytes of each state, kept by a trigger on every change of state and, for new items, once a batch
    /// by <see cref="ItemAdder"/>, so that nothing needs a scan of every item.
    /// </summary>
    private const string Version2 = """
        ALTER TABLE items ADD COLUMN host TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN source TEXT;
        ALTER TABLE items ADD COLUMN seen_run INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN path_key TEXT;
        ALTER TABLE items ADD COLUMN lease_owner TEXT;
        ALTER TABLE items ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN lease_until INTEGER;
        ALTER TABLE items ADD COLUMN chosen_path TEXT;
        CREATE TABLE folders (key TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE hosts (
            host TEXT PRIMARY KEY,
            pending INTEGER NOT NULL DEFAULT 0,
            not_before INTEGER NOT NULL DEFAULT 0,
            reason TEXT
        );
        CREATE INDEX hosts_with_work ON hosts (not_before) WHERE pending > 0;
        CREATE TABLE counts (state INTEGER PRIMARY KEY, items INTEGER NOT NULL, bytes INTEGER NOT NULL);
        INSERT INTO counts (state, items, bytes) VALUES (0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0);
        CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL);
        CREATE INDEX items_queue ON items (host, state, id);
        CREATE INDEX items_backups ON items (id) WHERE backup_path IS NOT NULL;
        """;

    /// <summary>Filled once the data of an older journal is in place: the keys, the counts, the triggers.</summary>
    private const string Version2Finish = """
        CREATE UNIQUE INDEX items_path_key ON items (path_key);
        INSERT OR IGNORE INTO hosts (host, pending) SELECT host, 0 FROM items GROUP BY host;
        UPDATE hosts SET pending = (SELECT COUNT(*) FROM items WHERE items.host = hosts.host AND items.state IN (0, 1));
        UPDATE counts SET items = (SELECT COUNT(*) FROM items WHERE items.state = counts.state),
                          bytes = (SELECT coalesce(SUM(bytes), 0) FROM items WHERE items.state = counts.state);
        CREATE TRIGGER items_changed AFTER UPDATE OF state, bytes ON items
            WHEN OLD.state <> NEW.state OR OLD.bytes <> NEW.bytes BEGIN
            UPDATE counts SET items = items - 1, bytes = bytes - OLD.bytes WHERE state = OLD.state;
            UPDATE counts SET items = items + 1, bytes = bytes + NEW.bytes WHERE state = NEW.state;
            UPDATE hosts SET pending = pending + (NEW.state IN (0, 1)) - (OLD.state IN (0, 1))
                WHERE host = NEW.host AND (NEW.state IN (0, 1)) <> (OLD.state IN (0, 1));
        END;
        """;

    /// <summary>
    /// Version 3: crawling. Each item knows the page that first named it (<c>referer</c>), its link depth from a start
    /// page, its barren run (pages in a row without an image, to cut traps) and, once done, its content type;
    /// <c>found</c> records every page an image was found on, with its alt text.
    /// </summary>
    private const string Version3 = """
        ALTER TABLE items ADD COLUMN referer TEXT;
        ALTER TABLE items ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN barren INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE items ADD COLUMN content_type TEXT;
        CREATE TABLE found (image_id INTEGER NOT NULL, page_id INTEGER NOT NULL, alt TEXT, PRIMARY KEY (image_id, page_id)) WITHOUT ROWID;
        CREATE INDEX items_pages ON items (state) WHERE kind = 1;
        """;

    /// <summary>
    /// Version 4: the job's cookie jar, so that a resumed job sends the cookies it had (session cookies included, as a
    /// browser's resumed session does). <c>expires</c> and <c>created</c> are Unix milliseconds; <c>expires</c> is
    /// null for a session cookie.
    /// </summary>
    private const string Version4 = """
        CREATE TABLE cookies (
            domain TEXT NOT NULL,
            path TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            host_only INTEGER NOT NULL,
            secure INTEGER NOT NULL,
            http_only INTEGER NOT NULL,
            expires INTEGER,
            created INTEGER NOT NULL,
            PRIMARY KEY (domain, path, name)
        ) WITHOUT ROWID;
        """;

    /// <summary>
    /// Version 5: the job's own row, with the options of a crawl (<c>Engine.CrawlDefinition</c>) as the first
    /// <c>haul crawl</c> into the folder gave them, so that a rerun with other ones is refused rather than mixing two
    /// layouts in one folder. A crawl of an earlier journal has none: its next run keeps its own.
    /// </summary>
    private const string Version5 = """
        CREATE TABLE job (id INTEGER PRIMARY KEY CHECK (id = 0), crawl TEXT NOT NULL);
        """;

    /// <summary>Creates or migrates the schema inside one transaction.</summary>
    public static async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, Pragmas, cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginTransaction();
        var version = Convert.ToInt32(await ScalarAsync(connection, transaction, "PRAGMA user_version;", cancellationToken).ConfigureAwait(false));
        if (version > Version)
        {
            throw new InvalidOperationException(
                $"the journal was written by a newer Haul (journal version {version}, this Haul knows up to {Version})");
        }

        if (version < 1)
        {
            await ExecuteAsync(connection, Version0, cancellationToken, transaction).ConfigureAwait(false);
            await ExecuteAsync(connection, Version1, cancellationToken, transaction).ConfigureAwait(false);
        }

        if (version < 2)
        {
            await ExecuteAsync(connection, Version2, cancellationToken, transaction).ConfigureAwait(false);
            await FillVersion2Async(connection, transaction, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, Version2Finish, cancellationToken, transaction).ConfigureAwait(false);
        }

        if (version < 3)
        {
            await ExecuteAsync(connection, Version3, cancellationToken, transaction).ConfigureAwait(false);
        }

        if (version < 4)
        {
            await ExecuteAsync(connection, Version4, cancellationToken, transaction).ConfigureAwait(false);
        }

        if (version < 5)
        {
            await ExecuteAsync(connection, Version5, cancellationToken, transaction).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, $"PRAGMA user_version = {Version};", cancellationToken, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The key under which an output path is claimed: case-insensitive, as file systems may be.</summary>
    public static string PathKey(string outputPath) => outputPath.ToUpperInvariant();

    /// <summary>
    /// Computes what SQL cannot for the items of an older journal: URLs in their normal form (two spellings of one
    /// resource become one item, a done one kept first), each item's host and path key, and its folders.
    /// </summary>
    private static async Task FillVersion2Async(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        var rows = new List<(long Id, string Url, string? Path, int State)>();
        using (var select = connection.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "SELECT id, url, output_path, state FROM items ORDER BY state = 2 DESC, id;";
            using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt32(3)));
            }
        }

        var kept = new Dictionary<string, long>(StringComparer.Ordinal);
        var normalized = new List<(long Id, string Url, string? Path, string Host)>();
        using (var delete = connection.CreateCommand())
        {
            delete.Transaction = transaction;
            delete.CommandText = "DELETE FROM attempts WHERE item_id = $id; DELETE FROM items WHERE id = $id;";
            var deleteId = delete.Parameters.Add("$id", SqliteType.Integer);
            foreach (var row in rows)
            {
                if (!Uri.TryCreate(row.Url, UriKind.Absolute, out var url))
                {
                    normalized.Add((row.Id, row.Url, row.Path, string.Empty));
                    continue;
                }

                var normal = Input.UrlNormalizer.Normalize(url);
                if (!kept.TryAdd(normal, row.Id))
                {
                    // Another spelling of a resource already kept: the first (done first) wins.
                    deleteId.Value = row.Id;
                    await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                normalized.Add((row.Id, normal, row.Path, Input.UrlNormalizer.HostKey(url)));
            }
        }

        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE items SET url = $url, host = $host, path_key = $key WHERE id = $id;";
        var urlValue = update.Parameters.Add("$url", SqliteType.Text);
        var host = update.Parameters.Add("$host", SqliteType.Text);
        var key = update.Parameters.Add("$key", SqliteType.Text);
        var id = update.Parameters.Add("$id", SqliteType.Integer);
        using var folder = connection.CreateCommand();
        folder.Transaction = transaction;
        folder.CommandText = "INSERT OR IGNORE INTO folders (key) VALUES ($key);";
        var folderKey = folder.Parameters.Add("$key", SqliteType.Text);

        // Temporary URLs first, so that no update meets the old spelling of another row on the unique index.
        using (var park = connection.CreateCommand())
        {
            park.Transaction = transaction;
            park.CommandText = "UPDATE items SET url = 'migrating:' || id;";
            await park.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var row in normalized)
        {
            urlValue.Value = row.Url;
            host.Value = row.Host;
            key.Value = row.Path is null ? DBNull.Value : PathKey(row.Path);
            id.Value = row.Id;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            foreach (var prefix in PathClaimRules.FoldersOf(row.Path ?? string.Empty))
            {
                folderKey.Value = PathKey(prefix);
                await folder.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static async Task ExecuteAsync(
        SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(
        SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
