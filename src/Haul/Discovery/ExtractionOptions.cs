namespace Haul.Discovery;

/// <summary>What <see cref="PageExtractor"/> keeps beyond its defaults.</summary>
internal sealed record ExtractionOptions
{
    /// <summary>The defaults: one full-size image a slot, no <c>data:</c> URIs, no pagination selector.</summary>
    public static ExtractionOptions Default { get; } = new();

    /// <summary>Keep every candidate of every slot (thumbnails, mid sizes, the original) instead of the full-size one.</summary>
    public bool AllSizes { get; init; }

    /// <summary>Keep <c>data:</c> URIs as images (never preferred to a real URL).</summary>
    public bool KeepDataUris { get; init; }

    /// <summary>A CSS selector: links it matches (or that sit inside an element it matches) are pagination links.</summary>
    public string? NextSelector { get; init; }
}
