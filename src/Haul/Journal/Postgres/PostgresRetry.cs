using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Runs a transaction again when PostgreSQL chose it as a deadlock's victim (40P01) or could not serialize it (40001):
/// workers' batches, heartbeats and turns lock the same rows in different orders now and then, and the database breaks
/// the cycle by aborting one of them, which is then simply run again. Nothing of an aborted transaction is committed.
/// </summary>
internal static class PostgresRetry
{
    private const int Attempts = 8;

    public static async Task<T> RunAsync<T>(Func<Task<T>> transaction, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transaction().ConfigureAwait(false);
            }
            catch (PostgresException exception) when (attempt < Attempts && exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken).ConfigureAwait(false);
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
}
