using System.Globalization;
using Haul.Fetching;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>Writes <see cref="JournalUpdate"/>s inside one transaction, with one prepared command a kind.</summary>
internal sealed class UpdateWriter : IDisposable
{
    private static readonly string[] ValueNames = ["$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h", "$i"];

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly string _now;
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public UpdateWriter(SqliteConnection connection, SqliteTransaction transaction, string now)
    {
        _connection = connection;
        _transaction = transaction;
        _now = now;
    }

    /// <summary>Writes an update and returns the rows its last statement changed.</summary>
    public Task<int> WriteAsync(JournalUpdate update) => update switch
    {
        ItemStarted started => ExecuteAsync(
            "UPDATE items SET state = 1, updated_at = $now WHERE id = $id AND state <> 2;", started.ItemId),
        ValidatorsSeen seen => ExecuteAsync(
            "UPDATE items SET etag = $a, last_modified = $b, total_size = $c, updated_at = $now WHERE id = $id;",
            seen.ItemId, seen.ETag, seen.LastModified, seen.TotalSize),
        AttemptFinished finished => WriteAttemptAsync(finished),
        ItemStaged staged => ExecuteAsync(
            "UPDATE items SET bytes = $a, sha256 = $b, updated_at = $now WHERE id = $id;",
            staged.ItemId, staged.Bytes, staged.Sha256),
        ItemDone done => ExecuteAsync(
            """
            UPDATE items SET state = 2, bytes = $a, sha256 = $b, file_modified = $c, backup_path = coalesce($d, backup_path),
                content_type = coalesce($f, content_type), note = $g,
                last_reason = NULL, last_detail = NULL, lease_owner = NULL, updated_at = $now
            WHERE id = $id AND ($e IS NULL OR lease_token = $e);
            """,
            done.ItemId, done.Bytes, done.Sha256, done.FileModified, done.BackupPath, done.LeaseToken, done.ContentType, done.Note),
        ItemSkipped skipped => ExecuteAsync(
            """
            UPDATE items SET state = 4, note = $a, lease_owner = NULL, updated_at = $now
            WHERE id = $id AND state <> 2 AND ($b IS NULL OR lease_token = $b);
            """,
            skipped.ItemId, skipped.Rule, skipped.LeaseToken),
        ItemFailed failed => ExecuteAsync(
            """
            UPDATE items SET state = 3, last_reason = $a, last_status = $b, last_detail = $c, lease_owner = NULL, updated_at = $now
            WHERE id = $id AND state <> 2 AND ($d IS NULL OR lease_token = $d);
            """,
            failed.ItemId, FailureReasons.ToName(failed.Reason), failed.Status, failed.Detail, failed.LeaseToken),
        ItemDeferred deferred => ExecuteAsync(
            "UPDATE items SET state = 0, not_before = $a, updated_at = $now WHERE id = $id AND state <> 2;", deferred.ItemId, deferred.NotBefore),
        HostPaused paused => ExecuteAsync(
            """
            INSERT INTO hosts (host, pending, not_before, reason) VALUES ($c, 0, $a, $b)
            ON CONFLICT (host) DO UPDATE SET not_before = max(not_before, excluded.not_before), reason = excluded.reason;
            """,
            0,
            paused.NotBefore,
            paused.Reason,
            paused.Host),
        ItemReopened reopened => ExecuteAsync(
            "UPDATE items SET state = 0, updated_at = $now WHERE id = $id AND state = 2;", reopened.ItemId),
        CookieStored stored => ExecuteAsync(
            """
            INSERT INTO cookies (domain, path, name, value, host_only, secure, http_only, expires, created)
            VALUES ($a, $b, $c, $d, $e, $f, $g, $h, $i)
            ON CONFLICT (domain, path, name) DO UPDATE SET value = excluded.value, host_only = excluded.host_only,
                secure = excluded.secure, http_only = excluded.http_only, expires = excluded.expires, created = excluded.created;
            """,
            0,
            stored.Cookie.Domain,
            stored.Cookie.Path,
            stored.Cookie.Name,
            stored.Cookie.Value,
            stored.Cookie.HostOnly,
            stored.Cookie.Secure,
            stored.Cookie.HttpOnly,
            stored.Cookie.Expires?.ToUnixTimeMilliseconds(),
            stored.Cookie.Created.ToUnixTimeMilliseconds()),
        CookieDeleted deleted => ExecuteAsync(
            "DELETE FROM cookies WHERE domain = $a AND path = $b AND name = $c;", 0, deleted.Domain, deleted.Path, deleted.Name),
        _ => throw new ArgumentOutOfRangeException(nameof(update), update.GetType().Name, "Unknown journal update."),
    };

    private async Task<int> WriteAttemptAsync(AttemptFinished finished)
    {
        var attempt = finished.Attempt;
        var reason = FailureReasons.ToName(attempt.Reason);
        await ExecuteAsync(
            "INSERT INTO attempts (item_id, started_at, elapsed_ms, reason, status, range_start, bytes, detail) VALUES ($id, $a, $b, $c, $d, $e, $f, $g);",
            finished.ItemId,
            attempt.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            (long)attempt.Elapsed.TotalMilliseconds,
            reason,
            attempt.Status,
            attempt.RangeStart,
            attempt.BytesReceived,
            attempt.Detail).ConfigureAwait(false);
        return await ExecuteAsync(
            "UPDATE items SET attempts = attempts + 1, last_reason = $a, last_status = $b, last_detail = $c WHERE id = $id;",
            finished.ItemId, attempt.Reason == FailureReason.None ? null : reason, attempt.Status, attempt.Detail).ConfigureAwait(false);
    }

    private Task<int> ExecuteAsync(string sql, long id, params object?[] values)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = sql;
            command.Parameters.Add("$id", SqliteType.Integer);
            if (sql.Contains("$now", StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue("$now", _now);
            }

            foreach (var name in ValueNames.Take(values.Length))
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            _commands[sql] = command;
        }

        command.Parameters["$id"].Value = id;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[ValueNames[i]].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
