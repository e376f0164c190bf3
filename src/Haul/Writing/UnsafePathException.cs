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

    /// <summary>The one wording of each refusal: <paramref name="shownPath"/> is <paramref name="found"/>, which Haul may not use.</summary>
    internal static UnsafePathException Found(string shownPath, EntryKind found) => new(found switch
    {
        EntryKind.SymbolicLink => $"'{shownPath}' is a symbolic link; Haul does not write through links",
        EntryKind.Directory => $"'{shownPath}' is a folder where a file belongs",
        EntryKind.File => $"'{shownPath}' is a file where a folder is needed",
        EntryKind.Inaccessible => $"'{shownPath}' cannot be looked at (a loop of links, or no permission)",
        _ => $"'{shownPath}' is a special file (a FIFO, socket or device), not a regular file",
    });

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UnsafePathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
