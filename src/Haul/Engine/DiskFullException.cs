namespace Haul.Engine;

/// <summary>The disk filled up during a job. Finished files are kept and the job can be run again.</summary>
public sealed class DiskFullException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DiskFullException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DiskFullException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public DiskFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
