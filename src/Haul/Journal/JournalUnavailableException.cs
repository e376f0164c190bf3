namespace Haul.Journal;

/// <summary>A shared journal could not be reached or opened (the database is down, refuses the user, or is too new).</summary>
public sealed class JournalUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public JournalUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
