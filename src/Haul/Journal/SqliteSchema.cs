using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// The journal's tables, and the migrations that bring a journal written by an earlier Haul up to date. The version
/// is SQLite's <c>user_version</c>; a journal is only ever moved forward.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>The version this Haul writes.</summary>
    public const int Version = 1;

    private const string Pragmas = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        """;

    /// <summary>Version 0: the first journal (skipped input lines were items in state 4).</summary>
    private const string Version0 = """
        CREATE TABLE IF NOT EXISTS items (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            kind INTEGER NOT NULL,
            state INTEGER NOT NULL,
            output_path TEXT UNIQUE,
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

        await ExecuteAsync(connection, $"PRAGMA user_version = {Version};", cancellationToken, transaction).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
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
