namespace Haul.Engine;

/// <summary>
/// A shared job exists, but not as the command would run it: a crawl given to a list job, a list added to a crawl, or a
/// crawl with other options than the job's. Nothing was changed.
/// </summary>
public sealed class JobMismatchException : IOException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public JobMismatchException(string message)
        : base(message)
    {
    }
}
