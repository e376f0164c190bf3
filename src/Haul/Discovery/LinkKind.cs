namespace Haul.Discovery;

/// <summary>What a link is to the crawl; a larger value is a stronger kind (duplicates keep the strongest).</summary>
internal enum LinkKind
{
    /// <summary>Any other link to a page.</summary>
    Ordinary = 0,

    /// <summary>A page around a thumbnail (<c>&lt;a href=photo.html&gt;&lt;img&gt;&lt;/a&gt;</c>): its images are the full-size ones.</summary>
    PhotoPage = 1,

    /// <summary>The next page of a pagination.</summary>
    Next = 2,
}
