namespace Haul.Journal;

/// <summary>What an item is: a file to save, or (for crawling) a page to read for links.</summary>
public enum ItemKind
{
    /// <summary>A file saved under the output folder.</summary>
    File = 0,

    /// <summary>A page read for links.</summary>
    Page = 1,
}
