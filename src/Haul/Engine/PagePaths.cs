using Haul.Writing;

namespace Haul.Engine;

/// <summary>
/// Where a crawl keeps what belongs to one page: the page itself (<c>--save-pages</c>), always an HTML file, and its
/// images' folder (<c>--by-page</c>), the same name without <c>.html</c>: <c>/gallery/page/2</c> is saved as
/// <c>HOST/gallery/page/2.html</c> beside its folder <c>HOST/gallery/page/2/</c>, as a browser saves a page beside its
/// files, and <c>/gallery/</c> as <c>HOST/gallery/index.html</c> inside its folder. A page's file is never its folder's
/// name, so neither is ever renamed for the other.
/// </summary>
internal static class PagePaths
{
    private const string FolderPage = "/index.html";

    /// <summary>
    /// <c>HOST/PATH</c> of a saved page: the page's mirrored path (<see cref="OutputPathMapper.Map"/>, <c>index.html</c>
    /// for a folder), with <c>.html</c> added when it does not end in <c>.html</c> or <c>.htm</c> (as wget's <c>-E</c>).
    /// </summary>
    public static string SavedPage(Uri page)
    {
        var path = OutputPathMapper.Map(page);
        return IsHtmlName(path) ? path : path + ".html";
    }

    /// <summary><c>HOST/PAGE-PATH</c>: the folder of a page's images, <see cref="SavedPage"/> without <c>index.html</c> or its extension.</summary>
    public static string Folder(Uri page)
    {
        var saved = SavedPage(page);
        return saved.EndsWith(FolderPage, StringComparison.Ordinal) ? saved[..^FolderPage.Length] : saved[..^Path.GetExtension(saved).Length];
    }

    /// <summary>
    /// <c>HOST/PAGE-PATH/NAME</c>: an image in the <see cref="Folder"/> of the page it was first found on, with its own
    /// file name; both are already made safe by <see cref="OutputPathMapper.Map"/>.
    /// </summary>
    public static string ByPage(Uri page, Uri image)
    {
        var name = OutputPathMapper.Map(image);
        return Folder(page) + "/" + name[(name.LastIndexOf('/') + 1)..];
    }

    private static bool IsHtmlName(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".html" or ".htm";
}
