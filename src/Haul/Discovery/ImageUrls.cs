namespace Haul.Discovery;

/// <summary>Which URLs name an image file: the path (not the query) ends in an image extension.</summary>
internal static class ImageUrls
{
    private static readonly string[] Extensions =
    [
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff", ".svg", ".heic", ".heif", ".jxl",
    ];

    /// <summary>Whether <paramref name="url"/>, an absolute URL, names an image file by its path's extension.</summary>
    public static bool IsImageFile(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return false;
        }

        var path = url.AbsolutePath;
        foreach (var extension in Extensions)
        {
            if (path.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
