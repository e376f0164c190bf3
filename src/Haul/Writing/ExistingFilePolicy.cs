namespace Haul.Writing;

/// <summary>What Haul does with a file it finds at an item's final path that it did not write and verify itself.</summary>
public enum ExistingFilePolicy
{
    /// <summary>
    /// Download the item; when its bytes differ from the file's, keep the file under a numbered backup name
    /// (<c>photo.jpg.~1~</c>, like <c>cp --backup=numbered</c>) and say so in the report. The default: nothing is
    /// trusted unverified and nothing is destroyed.
    /// </summary>
    Backup = 0,

    /// <summary>Trust the file and mark the item done without a request (wget's <c>-nc</c>); a given SHA-256 is still checked.</summary>
    Skip,

    /// <summary>Download the item and replace the file.</summary>
    Overwrite,
}
