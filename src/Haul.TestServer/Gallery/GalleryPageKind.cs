namespace Haul.TestServer;

/// <summary>What a gallery page is for.</summary>
public enum GalleryPageKind
{
    /// <summary>A paginated listing page: <c>/gallery/</c> or <c>/gallery/page/N</c>.</summary>
    Listing,

    /// <summary>A photo page <c>/gallery/photo/ID.html</c>, linked around a thumbnail; its original is in a srcset and og:image.</summary>
    Photo,

    /// <summary><c>/gallery/based.html</c>: relative image URLs resolved against its <c>&lt;base href&gt;</c>.</summary>
    Based,

    /// <summary><c>/gallery/broken.html</c>: malformed markup with one original an HTML5 parser recovers.</summary>
    Broken,

    /// <summary><c>/gallery/empty.html</c>: 200 with a zero-byte body.</summary>
    Empty,

    /// <summary><c>/gallery/huge.html</c>: larger than <see cref="GalleryOptions.HugePageBytes"/>; its images are not expected.</summary>
    Huge,

    /// <summary><c>/gallery/more/</c> linking <c>more/</c> relatively, forever.</summary>
    RepeatedSegmentTrap,

    /// <summary><c>/gallery/sort/?sort=asc</c> adding a query parameter on every page, forever.</summary>
    QueryTrap,

    /// <summary><c>/calendar/YYYY/MM</c> linking the next month, forever, with no images.</summary>
    Calendar,

    /// <summary><c>/private/index.html</c>: disallowed by robots.txt.</summary>
    Private,

    /// <summary><c>/offsite/page.html</c> on the CDN host: outside the crawl's host.</summary>
    Offsite,
}
