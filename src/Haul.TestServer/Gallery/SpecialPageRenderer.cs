namespace Haul.TestServer;

/// <summary>Writes the gallery's fixed pages other than the listings: photo, base-href, broken, private, off-site and huge.</summary>
internal static class SpecialPageRenderer
{
    /// <summary><c>/gallery/photo/ID.html</c>: the original in a srcset and in og:image, a link back to its listing page.</summary>
    public static string Photo(string id, string file, string backPath, GalleryUrls urls) =>
        GalleryMarkup.Open("Photo " + id, "\n<meta property=\"og:image\" content=\"" + urls.Main + "/img/full/" + file + "\">\n")
        + GalleryMarkup.Header
        + "<figure><img src=\"/img/medium/" + file + "\" srcset=\"/img/medium/" + file + " 1024w, /img/full/" + file + " 3000w\" alt=\"Photo " + id + "\">"
        + "<figcaption>Photo " + id + "</figcaption></figure>\n"
        + "<p><a href=\"" + backPath + "\">Back to the gallery</a></p>\n"
        + GalleryMarkup.Close;

    /// <summary><c>/gallery/based.html</c>: <c>&lt;base href="/img/"&gt;</c> and relative image URLs under it.</summary>
    public static string Based(IReadOnlyList<string> files) =>
        GalleryMarkup.Open("Shelf", "<base href=\"/img/\">")
        + GalleryMarkup.Header
        + "<a href=\"full/" + files[0] + "\"><img src=\"thumb/" + files[0] + "\" alt=\"Shelf 0\"></a>\n"
        + "<img src=\"medium/" + files[1] + "\" srcset=\"medium/" + files[1] + " 1x, full/" + files[1] + " 2x\" alt=\"Shelf 1\">\n"
        + "<div style=\"background-image: url(full/" + files[2] + ")\"></div>\n"
        + "<p><a href=\"/gallery/\">Back to the gallery</a></p>\n"
        + GalleryMarkup.Close;

    /// <summary>
    /// <c>/gallery/broken.html</c>: no closing head, unquoted attributes, misnested and stray tags, unclosed elements;
    /// an HTML5 parser recovers the one linked original.
    /// </summary>
    public static string Broken(string file) =>
        "<html><head><title>Old layout</title>\n<meta charset=utf-8>\n<body bgcolor=#fff>\n"
        + "<div class=old><table border=0><tr><td><p><b><i>Archive</b></i></span>\n"
        + "<a href=/img/full/" + file + " class=photo><img src=/img/thumb/" + file + " alt=Archived width=120 height=90></a>\n"
        + "</td><td><p>unclosed cell<p>and a stray <em>emphasis\n</tr></table></div></div></font>\n"
        + "<ul><li>one<li>two\n";

    /// <summary><c>/private/index.html</c>: disallowed by robots.txt, so never fetched by a correct crawl.</summary>
    public static string Private(string file) =>
        GalleryMarkup.Open("Members")
        + "<img src=\"/private/full/" + file + "\" alt=\"Members only\">\n"
        + GalleryMarkup.Close;

    /// <summary><c>/offsite/page.html</c> on the CDN host: off the crawl's host, so never fetched.</summary>
    public static string Offsite(string file) =>
        GalleryMarkup.Open("Partner") + "<img src=\"/cdn/full/" + file + "\" alt=\"Partner\">\n" + GalleryMarkup.Close;

    /// <summary>The start of <c>/gallery/huge.html</c>: its own images, which no other page names.</summary>
    public static string HugeHead(IReadOnlyList<string> files) =>
        GalleryMarkup.Open("Everything")
        + string.Concat(files.Select(f => "<img src=\"/img/full/" + f + "\" alt=\"Everything\">\n"))
        + "<ol>\n";

    /// <summary>One repeated line of <c>/gallery/huge.html</c>.</summary>
    public const string HugeLine = "<li>Nothing to see here, only more of the same, line after line after line.</li>\n";

    public const string HugeTail = "</ol>\n" + GalleryMarkup.Close;
}
