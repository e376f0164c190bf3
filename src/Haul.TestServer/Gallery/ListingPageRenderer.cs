using System.Globalization;
using System.Text;

namespace Haul.TestServer;

/// <summary>Writes a listing page: <c>/gallery/</c> (page 1) or <c>/gallery/page/N</c>.</summary>
internal static class ListingPageRenderer
{
    /// <summary>How a page names its next page.</summary>
    public enum NextStyle
    {
        /// <summary><c>&lt;a rel="next"&gt;</c>.</summary>
        RelNext,

        /// <summary>A plain link whose text is <c>Next »</c>.</summary>
        LinkText,

        /// <summary><c>&lt;link rel="next"&gt;</c> in the head only.</summary>
        HeadLink,
    }

    public static string PathOf(int page) =>
        page == 1 ? "/gallery/" : "/gallery/page/" + page.ToString(CultureInfo.InvariantCulture);

    public static string Render(int page, int pages, NextStyle nextStyle, string coverFile, IReadOnlyList<RenderedSlot> slots, GalleryUrls urls)
    {
        var number = page.ToString(CultureInfo.InvariantCulture);
        var next = page < pages ? NextHref(page, urls) : null;
        var html = new StringBuilder(8192)
            .Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
            .Append("<title>Gallery, page ").Append(number).Append(" of ").Append(pages.ToString(CultureInfo.InvariantCulture)).Append("</title>\n");
        if (next is not null && nextStyle == NextStyle.HeadLink)
        {
            html.Append("<link rel=\"next\" href=\"").Append(next).Append("\">\n");
        }

        // Odd pages announce their cover with og:image, even pages with twitter:image.
        var meta = page % 2 == 1 ? "<meta property=\"og:image\" content=\"" : "<meta name=\"twitter:image\" content=\"";
        html.Append(meta).Append(urls.Main).Append("/img/full/").Append(coverFile).Append("\">\n")
            .Append("<style>\nbody { font-family: sans-serif; }\n.grid { display: grid; grid-template-columns: repeat(4, 1fr); }\n");
        foreach (var rule in slots.Select(s => s.StyleRule).OfType<string>())
        {
            html.Append(rule).Append('\n');
        }

        html.Append("</style></head>\n<body id=\"top\">\n")
            .Append(GalleryMarkup.Header)
            .Append("<main><h1>Gallery, page ").Append(number).Append("</h1>\n<ul class=\"grid\">\n");
        foreach (var slot in slots)
        {
            html.Append("<li>").Append(slot.Html).Append("</li>\n");
        }

        html.Append("</ul>\n<nav class=\"pagination\">");
        if (page > 1)
        {
            html.Append("<a rel=\"prev\" href=\"").Append(PathOf(page - 1)).Append("\">« Previous</a> ");
        }

        for (var other = Math.Max(1, page - 2); other <= Math.Min(pages, page + 2); other++)
        {
            html.Append(other == page
                ? "<span>" + other.ToString(CultureInfo.InvariantCulture) + "</span> "
                : "<a href=\"" + PathOf(other) + "\">" + other.ToString(CultureInfo.InvariantCulture) + "</a> ");
        }

        switch (next is null ? (NextStyle?)null : nextStyle)
        {
            case NextStyle.RelNext:
                html.Append("<a rel=\"next\" href=\"").Append(next).Append("\">Page ").Append((page + 1).ToString(CultureInfo.InvariantCulture)).Append("</a>");
                break;
            case NextStyle.LinkText:
                html.Append("<a href=\"").Append(next).Append("\">Next »</a>");
                break;
        }

        return html.Append("</nav></main>\n").Append(Footer(urls)).Append("</body></html>\n").ToString();
    }

    /// <summary>The next page's reference: absolute, root-relative or relative, by page.</summary>
    private static string NextHref(int page, GalleryUrls urls)
    {
        var next = (page + 1).ToString(CultureInfo.InvariantCulture);
        return (page % 3) switch
        {
            0 => urls.Main + "/gallery/page/" + next,
            1 => "/gallery/page/" + next,
            _ => page == 1 ? "page/" + next : next,
        };
    }

    private static string Footer(GalleryUrls urls)
    {
        var footer = new StringBuilder(1024)
            .Append("<footer><nav>\n")
            .Append("<a href=\"/gallery/based.html\">Shelf</a>\n")
            .Append("<a href=\"/gallery/broken.html\">Old layout</a>\n")
            .Append("<a href=\"/gallery/empty.html\">Drafts</a>\n")
            .Append("<a href=\"/gallery/huge.html\">Everything on one page</a>\n")
            .Append("<a href=\"").Append(GalleryMarkup.CalendarStart).Append("\">Calendar</a>\n")
            .Append("<a href=\"/gallery/more/\">Browse deeper</a>\n")
            .Append("<a href=\"/gallery/sort/?sort=asc\">Oldest first</a>\n")
            .Append("<a href=\"/private/index.html\">Members</a>\n");
        if (urls.HasCdn)
        {
            footer.Append("<a href=\"").Append(urls.Cdn).Append(GalleryMarkup.OffsitePath).Append("\">Partner site</a>\n");
        }

        return footer
            .Append("<a href=\"mailto:gallery@example.org\">Write to us</a> <a href=\"tel:+15550100\">Call</a> ")
            .Append("<a href=\"javascript:void(0)\">Menu</a> <a href=\"#top\">Top</a>\n")
            .Append("</nav></footer>\n")
            .ToString();
    }
}
