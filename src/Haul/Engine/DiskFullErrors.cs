using Haul.Fetching;
using Microsoft.Data.Sqlite;

namespace Haul.Engine;

/// <summary>Tells a full disk among the errors of a job, and says so in one line.</summary>
internal static class DiskFullErrors
{
    /// <summary>SQLITE_FULL: the database could not grow.</summary>
    private const int SqliteFullErrorCode = 13;

    /// <summary>Whether the disk filled up: SQLITE_FULL, or ENOSPC on a file, here or in an inner exception.</summary>
    internal static bool IsDiskFull(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteFullErrorCode } || (exception is IOException io && FailureClassifier.IsDiskFull(io))
        || (exception.InnerException is { } inner && IsDiskFull(inner));

    /// <summary>The exception that stops the job, naming the file being written.</summary>
    internal static DiskFullException ToException(string path, Exception? cause)
    {
        var message = $"the disk is full (writing '{path}'); finished files are kept, run the same command again once there is space";
        return cause is null ? new DiskFullException(message) : new DiskFullException(message, cause);
    }
}
