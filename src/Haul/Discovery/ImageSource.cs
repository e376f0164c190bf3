namespace Haul.Discovery;

/// <summary>Where on a page an image's URL was found (of its first occurrence).</summary>
internal enum ImageSource
{
    /// <summary>The <c>src</c> of an <c>&lt;img&gt;</c>.</summary>
    Img,

    /// <summary>A candidate of an <c>&lt;img srcset&gt;</c>.</summary>
    Srcset,

    /// <summary>A <c>&lt;source srcset&gt;</c> of the <c>&lt;picture&gt;</c> around an <c>&lt;img&gt;</c>.</summary>
    Picture,

    /// <summary>A lazy-load attribute of an <c>&lt;img&gt;</c> (<c>data-src</c>, <c>data-srcset</c>, <c>data-original</c>, …).</summary>
    Lazy,

    /// <summary>An <c>&lt;img&gt;</c> inside <c>&lt;noscript&gt;</c>.</summary>
    Noscript,

    /// <summary>A <c>url(…)</c> of a CSS <c>background</c> or <c>background-image</c>.</summary>
    Css,

    /// <summary>An <c>og:image</c> or <c>twitter:image</c> meta tag.</summary>
    Meta,

    /// <summary>The <c>&lt;a href&gt;</c> to an image file around an <c>&lt;img&gt;</c> (the original linked around a thumbnail).</summary>
    Link,
}
