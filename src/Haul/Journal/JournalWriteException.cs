namespace Haul.Journal;

/// <summary>The journal could not record the job's progress, so the job stopped; what was committed is kept.</summary>
public sealed class JournalWriteException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JournalWriteException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalWriteException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public JournalWriteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
