namespace Haul.Engine;

/// <summary>The output folder cannot be created or written.</summary>
public sealed class OutputFolderException : IOException
{
    /// <summary>Creates the exception.</summary>
    public OutputFolderException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OutputFolderException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public OutputFolderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
