namespace Haul.Journal;

/// <summary>An item a crawl found: a page to read for links, or a file (an image) to save, and where it was found.</summary>
/// <param name="Url">The absolute URL, normalised by the journal.</param>
/// <param name="Kind">A page or a file.</param>
public sealed record FoundItem(Uri Url, ItemKind Kind)
{
    /// <summary>The <see cref="Source"/> of a crawl's start page as a command gave it (not a page it redirected to).</summary>
    public const string StartPageSource = "start page";

    /// <summary>What to send as <c>Referer</c> when fetching it; null for none.</summary>
    public string? Referer { get; init; }

    /// <summary>Links followed from a start page to reach it.</summary>
    public int Depth { get; init; }

    /// <summary>For a page: pages in a row, ending with the one it was found on, that had no image.</summary>
    public int Barren { get; init; }

    /// <summary>For a file: its alt text on the page it was found on.</summary>
    public string? Alt { get; init; }

    /// <summary>For a file: the output path asked for (made unique like any other), or null for the mirrored layout.</summary>
    public string? OutputPath { get; init; }

    /// <summary>Where it was found, for reports: the page's URL, or the command line.</summary>
    public string? Source { get; init; }
}
