namespace Haul.Discovery;

/// <summary>
/// What a page gives the crawl: its images and links in document order, de-duplicated; the number of image slots it
/// had (photo-page thumbnails included; 0 is a barren page); the parser's error count; its title.
/// </summary>
internal sealed record PageExtraction(
    IReadOnlyList<FoundImage> Images,
    IReadOnlyList<FoundLink> Links,
    int ImageSlots,
    int ParseErrors,
    string? Title)
{
    /// <summary>Nothing: what an empty page, or a body that is not a page, gives.</summary>
    public static PageExtraction Empty { get; } = new([], [], 0, 0, null);
}
