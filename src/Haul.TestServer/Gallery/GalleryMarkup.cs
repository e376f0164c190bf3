namespace Haul.TestServer;

/// <summary>Markup and addresses shared by the gallery's pages.</summary>
internal static class GalleryMarkup
{
    public const string LogoPath = "/static/logo.png";

    public const string CalendarStart = "/calendar/2024/01";

    public const string OffsitePath = "/offsite/page.html";

    public const string BasedPath = "/gallery/based.html";

    public const string BrokenPath = "/gallery/broken.html";

    public const string EmptyPath = "/gallery/empty.html";

    public const string HugePath = "/gallery/huge.html";

    public const string PrivatePath = "/private/index.html";

    public const string MorePath = "/gallery/more/";

    public const string SortPath = "/gallery/sort/";

    /// <summary>The header of every gallery page: the logo, a plain image slot of its own (not inside a link).</summary>
    public const string Header =
        "<header><img src=\"" + LogoPath + "\" alt=\"Haul Gallery\" width=\"120\" height=\"40\"> <nav><a href=\"/gallery/\">Home</a></nav></header>\n";

    public static string Open(string title, string head = "") =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title + "</title>" + head + "</head>\n<body>\n";

    public const string Close = "</body></html>\n";
}
