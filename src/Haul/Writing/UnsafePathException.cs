namespace Haul.Writing;

/// <summary>
/// A path inside the output folder is not what Haul may write through: a symbolic link, a file where a folder belongs,
/// or a special file such as a FIFO. Haul never follows it and never writes outside the output folder.
/// </summary>
public sealed class UnsafePathException : IOException
{
    /// <summary>Creates the exception.</summary>
    public UnsafePathException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnsafePathException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnsafePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
