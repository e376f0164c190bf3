namespace Haul.TestServer;

/// <summary>The forms an image slot of a listing page takes, cycled by slot index, page and seed.</summary>
internal enum SlotForm
{
    /// <summary>A thumbnail linked to its original: the link wins.</summary>
    LinkedThumb,

    /// <summary>A thumbnail linked to a photo page: no image here, the page is followed.</summary>
    PhotoPage,

    /// <summary>A srcset with <c>w</c> descriptors, the original not last.</summary>
    SrcsetWidth,

    /// <summary>A srcset with <c>x</c> descriptors, one candidate without a descriptor.</summary>
    SrcsetDensity,

    /// <summary>A <c>&lt;picture&gt;</c> whose <c>&lt;source srcset&gt;</c> names the original.</summary>
    Picture,

    /// <summary>A placeholder src, <c>data-src</c>, and the same original again in <c>&lt;noscript&gt;</c>.</summary>
    LazyDataSrc,

    /// <summary>A <c>data:</c> placeholder, a <c>data-srcset</c> of small sizes and a <c>data-zoom-image</c> that beats it.</summary>
    LazyZoomOverSrcset,

    /// <summary>A <c>data-lazy-src</c> mid size that loses to the srcset's <c>2x</c> original.</summary>
    SrcsetOverLazySmall,

    /// <summary>A CSS background in a <c>style</c> attribute (entity-encoded quotes on odd slots).</summary>
    StyleBackground,

    /// <summary>A CSS background in the page's <c>&lt;style&gt;</c> block, as an absolute URL.</summary>
    StyleBlockBackground,

    /// <summary>A CDN thumbnail linked to its CDN original, absolute URLs.</summary>
    CdnLinked,

    /// <summary>CDN images in a srcset of protocol-relative URLs.</summary>
    CdnProtocolRelative,

    /// <summary>A thumbnail linked to an original in the hotlink-protected folder.</summary>
    Hotlink,

    /// <summary>A thumbnail linked to an original under <c>/private/</c>, which robots.txt disallows.</summary>
    Private,

    /// <summary>The previous page's cover image again, in <c>data-full</c>.</summary>
    Duplicate,

    /// <summary>Entities in <c>alt</c> and in the URL, attributes glued without spaces.</summary>
    EntitiesGlued,

    /// <summary>A placeholder src and an unlisted <c>data-*</c> attribute naming the original.</summary>
    OtherDataAttribute,

    /// <summary><c>data-download-url</c> beating <c>data-original</c> and <c>src</c>.</summary>
    DownloadUrl,
}
