namespace Haul.Engine;

/// <summary>
/// A job exists, but not as the command would run it: a crawl given to a shared list job, a list added to a shared
/// crawl, or a crawl with other options than the job's (a shared job's, or the one its output folder holds). Nothing
/// was changed.
/// </summary>
public sealed class JobMismatchException : IOException
{
    /// <summary>Creates the exception with its one-line message.</summary>
    public JobMismatchException(string message)
        : base(message)
    {
    }
}
