namespace Haul.Crawling;

/// <summary>Which found images a crawl keeps (the image options of <c>haul crawl</c> that <see cref="ImageFilter"/> applies).</summary>
internal sealed record ImageFilterOptions
{
    /// <summary>
    /// File extensions to keep (<c>jpg</c> or <c>.jpg</c>, any case; <c>jpg</c>/<c>jpeg</c> and <c>tif</c>/<c>tiff</c>
    /// name each other); empty keeps every image the page gives, whatever its URL ends in.
    /// </summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>The smallest image kept, in bytes; null for no limit.</summary>
    public long? MinBytes { get; init; }

    /// <summary>The largest image kept, in bytes; null for no limit.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>The narrowest image kept, in pixels, when the page states a width; null for no limit.</summary>
    public int? MinWidth { get; init; }

    /// <summary>The lowest image kept, in pixels, when the page states a height; null for no limit.</summary>
    public int? MinHeight { get; init; }
}
