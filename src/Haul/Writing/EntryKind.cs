namespace Haul.Writing;

/// <summary>What a path names, seen without following a symbolic link at its end.</summary>
internal enum EntryKind
{
    /// <summary>Nothing is there.</summary>
    None,

    /// <summary>A file (a regular file, or a special file that opening will reveal).</summary>
    File,

    /// <summary>A folder.</summary>
    Directory,

    /// <summary>A symbolic link (or, on Windows, a junction or another reparse point).</summary>
    SymbolicLink,

    /// <summary>Something that cannot even be looked at: a loop of links, a folder without permission.</summary>
    Inaccessible,
}
