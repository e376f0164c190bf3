using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Runs a statement again when running it again is the answer. PostgreSQL chose it as a deadlock's victim (40P01) or
/// could not serialize it (40001): workers' batches, heartbeats and turns lock the same rows in different orders now
/// and then, and the database breaks the cycle by aborting one of them. Or the connection failed in a way Npgsql calls
/// transient (broken, timed out, the server restarting or ending a session that sat idle in a transaction): a worker on
/// a flaky network, or one that was frozen for a while, should go on rather than stop its job. Nothing of an aborted
/// statement is committed, but a connection may break after its statement committed: only statements that do no harm
/// applied twice are tried again then (fenced updates that set values, heartbeats, pauses, reads). A claim is not
/// (<c>transient: false</c>): its items would stay leased to a worker that never learned it holds them.
/// </summary>
internal static class PostgresRetry
{
    private const int Attempts = 8;

    /// <summary>The server ended a session that sat idle in a transaction too long (<c>idle_in_transaction_session_timeout</c>).</summary>
    private const string IdleInTransactionTimeout = "25P03";

    /// <summary>The server ended a session that sat idle too long (<c>idle_session_timeout</c>).</summary>
    private const string IdleSessionTimeout = "57P05";

    /// <summary>The longest pause between two tries of a connection that failed (about 20 s in all).</summary>
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(5);

    public static async Task<T> RunAsync<T>(Func<Task<T>> transaction, CancellationToken cancellationToken, bool transient = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction().ConfigureAwait(false);
            }
            catch (NpgsqlException exception) when (attempt < Attempts && Pause(exception, attempt, transient) is { } pause)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static Task RunAsync(Func<Task> transaction, CancellationToken cancellationToken) =>
        RunAsync(
            async () =>
            {
                await transaction().ConfigureAwait(false);
                return true;
            },
            cancellationToken);

    /// <summary>How long to wait before the next try, or null when another try would not help.</summary>
    internal static TimeSpan? Pause(NpgsqlException exception, int attempt, bool transient)
    {
        if (exception is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure })
        {
            return TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt));
        }

        if (!transient)
        {
            return null;
        }

        if (exception.IsTransient || exception is PostgresException { SqlState: IdleInTransactionTimeout or IdleSessionTimeout })
        {
            var pause = TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt));
            return pause < LongestPause ? pause : LongestPause;
        }

        return null;
    }
}
