using Haul.Fetching;
using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Turns <see cref="JournalUpdate"/>s into commands of one <see cref="NpgsqlBatch"/>. An update of an item that carries a
/// lease token changes the item's row only while the item's token is still that one (an attempt's history row is kept
/// whatever the claim). Times that decide (an item's or a host's
/// not-before) are stored in the database's clock: the client's time becomes a delay from the client's now, added to
/// the database's now.
/// </summary>
internal static class PostgresUpdateWriter
{
    private const string DbNow = PostgresSchema.NowMilliseconds;

    /// <summary>The item's claim is still the one of the token in parameter <c>$n</c> (or the update is not guarded).</summary>
    private static string Fenced(int n) => $"(${n}::bigint IS NULL OR lease_token = ${n})";

    /// <summary>Adds the commands of <paramref name="update"/> to <paramref name="batch"/> and returns the last of them.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="update">The update.</param>
    /// <param name="job">The job's key.</param>
    /// <param name="clientNow">The client's now, Unix milliseconds, against which its times are delays.</param>
    /// <param name="worker">This worker's owner key and folder, recorded with the files it finishes; nulls when it did not join.</param>
    public static NpgsqlBatchCommand Add(NpgsqlBatch batch, JournalUpdate update, long job, long clientNow, (string? Owner, string? Holder) worker) => update switch
    {
        ItemStarted started => Command(
            batch,
            $"UPDATE items SET state = 1, updated_at = now() WHERE id = $1 AND job_id = $2 AND state <> 2 AND {Fenced(3)};",
            started.ItemId, job, started.LeaseToken),
        ValidatorsSeen seen => Command(
            batch,
            $"UPDATE items SET etag = $3, last_modified = $4, total_size = $5, updated_at = now() WHERE id = $1 AND job_id = $2 AND {Fenced(6)};",
            seen.ItemId, job, seen.ETag, seen.LastModified, seen.TotalSize, seen.LeaseToken),
        AttemptFinished finished => AddAttempt(batch, finished, job),
        ItemStaged staged => Command(
            batch, $"UPDATE items SET bytes = $3, sha256 = $4, updated_at = now() WHERE id = $1 AND job_id = $2 AND {Fenced(5)};",
            staged.ItemId, job, staged.Bytes, staged.Sha256, staged.LeaseToken),
        ItemDone done => Command(
            batch,
            $"""
            UPDATE items SET state = 2, bytes = $3, sha256 = $4, file_modified = $5, backup_path = coalesce($6, backup_path),
                content_type = coalesce($8, content_type), note = $9, holder = $10, done_by = $11,
                last_reason = NULL, last_detail = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()
            WHERE id = $1 AND job_id = $2 AND {Fenced(7)};
            """,
            done.ItemId, job, done.Bytes, done.Sha256, done.FileModified, done.BackupPath, done.LeaseToken, done.ContentType, done.Note, worker.Holder, worker.Owner),
        ItemSkipped skipped => Command(
            batch,
            $"""
            UPDATE items SET state = 4, note = $3, lease_owner = NULL, lease_until = NULL, updated_at = now()
            WHERE id = $1 AND job_id = $2 AND state <> 2 AND {Fenced(4)};
            """,
            skipped.ItemId, job, skipped.Rule, skipped.LeaseToken),
        ItemFailed failed => Command(
            batch,
            $"""
            UPDATE items SET state = 3, last_reason = $3, last_status = $4, last_detail = $5, lease_owner = NULL, lease_until = NULL,
                updated_at = now()
            WHERE id = $1 AND job_id = $2 AND state <> 2 AND {Fenced(6)};
            """,
            failed.ItemId, job, FailureReasons.ToName(failed.Reason), failed.Status, failed.Detail, failed.LeaseToken),
        ItemDeferred deferred => Command(
            batch,
            $"UPDATE items SET state = 0, not_before = {DbNow} + $3, updated_at = now() WHERE id = $1 AND job_id = $2 AND state <> 2 AND {Fenced(4)};",
            deferred.ItemId, job, deferred.NotBefore - clientNow, deferred.LeaseToken),
        HostPaused paused => Command(
            batch,
            $"""
            INSERT INTO hosts (job_id, host, not_before, reason, probes_left, noise_shown) VALUES ($1, $2, {DbNow} + $3, $4, $5, $6)
            ON CONFLICT (job_id, host) DO UPDATE SET
                not_before = greatest(hosts.not_before, excluded.not_before),
                reason = excluded.reason,
                probes_left = CASE WHEN excluded.not_before > hosts.not_before THEN excluded.probes_left ELSE hosts.probes_left END,
                noise_shown = hosts.noise_shown OR excluded.noise_shown;
            """,
            job, paused.Host, paused.NotBefore - clientNow, paused.Reason, paused.Probes, paused.NoiseShown),
        ItemReopened reopened => Command(
            batch, "UPDATE items SET state = 0, updated_at = now() WHERE id = $1 AND job_id = $2 AND state = 2;", reopened.ItemId, job),
        CookieStored stored => Command(
            batch,
            """
            INSERT INTO cookies (job_id, domain, path, name, value, host_only, secure, http_only, expires, created)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            ON CONFLICT (job_id, domain, path, name) DO UPDATE SET value = excluded.value, host_only = excluded.host_only,
                secure = excluded.secure, http_only = excluded.http_only, expires = excluded.expires, created = excluded.created;
            """,
            job,
            stored.Cookie.Domain,
            stored.Cookie.Path,
            stored.Cookie.Name,
            stored.Cookie.Value,
            stored.Cookie.HostOnly,
            stored.Cookie.Secure,
            stored.Cookie.HttpOnly,
            stored.Cookie.Expires?.ToUnixTimeMilliseconds(),
            stored.Cookie.Created.ToUnixTimeMilliseconds()),
        CookieDeleted deleted => Command(
            batch, "DELETE FROM cookies WHERE job_id = $1 AND domain = $2 AND path = $3 AND name = $4;", job, deleted.Domain, deleted.Path, deleted.Name),
        _ => throw new ArgumentOutOfRangeException(nameof(update), update.GetType().Name, "Unknown journal update."),
    };

    private static NpgsqlBatchCommand AddAttempt(NpgsqlBatch batch, AttemptFinished finished, long job)
    {
        var attempt = finished.Attempt;
        var reason = FailureReasons.ToName(attempt.Reason);
        Command(
            batch,
            """
            INSERT INTO attempts (item_id, started_at, elapsed_ms, reason, status, range_start, bytes, detail)
            SELECT id, $3, $4, $5, $6, $7, $8, $9 FROM items WHERE id = $1 AND job_id = $2;
            """,
            finished.ItemId,
            job,
            attempt.StartedAt.ToUniversalTime(),
            (long)attempt.Elapsed.TotalMilliseconds,
            reason,
            attempt.Status,
            attempt.RangeStart,
            attempt.BytesReceived,
            attempt.Detail);
        return Command(
            batch,
            $"UPDATE items SET attempts = attempts + 1, last_reason = $3, last_status = $4, last_detail = $5 WHERE id = $1 AND job_id = $2 AND {Fenced(6)};",
            finished.ItemId, job, attempt.Reason == FailureReason.None ? null : reason, attempt.Status, attempt.Detail, finished.LeaseToken);
    }

    private static NpgsqlBatchCommand Command(NpgsqlBatch batch, string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(Parameter(value));
        }

        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>A positional parameter; a null gets the type its column needs from the statement.</summary>
    private static NpgsqlParameter Parameter(object? value) => value is null
        ? new NpgsqlParameter { Value = DBNull.Value }
        : new NpgsqlParameter { Value = value };
}
