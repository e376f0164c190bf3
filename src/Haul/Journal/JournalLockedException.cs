namespace Haul.Journal;

/// <summary>Another process holds the journal of this output folder.</summary>
public sealed class JournalLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalLockedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalLockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public JournalLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
