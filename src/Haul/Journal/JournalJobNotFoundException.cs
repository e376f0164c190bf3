namespace Haul.Journal;

/// <summary>A shared journal has no job of the name a worker asked to join.</summary>
public sealed class JournalJobNotFoundException : IOException
{
    /// <summary>Creates the exception.</summary>
    public JournalJobNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public JournalJobNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public JournalJobNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
