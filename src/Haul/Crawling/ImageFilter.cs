namespace Haul.Crawling;

/// <summary>
/// Keeps or skips a found image by its URL, its dimensions as the page states them, and its size. Each check returns
/// null to keep the image, else the rule it breaks (<see cref="CrawlSkipRules"/>).
/// </summary>
internal sealed class ImageFilter
{
    private readonly ImageFilterOptions _options;
    private readonly HashSet<string> _extensions = new(StringComparer.Ordinal);

    public ImageFilter(ImageFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MinBytes < 0 || options.MaxBytes < 0 || options.MinWidth < 0 || options.MinHeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Image limits must be 0 or more.");
        }

        if (options.MinBytes > options.MaxBytes)
        {
            throw new ArgumentException("MinBytes is greater than MaxBytes.", nameof(options));
        }

        _options = options;
        foreach (var extension in options.Extensions)
        {
            var name = extension.Trim().TrimStart('.').ToLowerInvariant();
            if (name.Length == 0)
            {
                throw new ArgumentException("An empty extension.", nameof(options));
            }

            _extensions.Add(name);
            if (Alias(name) is { } alias)
            {
                _extensions.Add(alias);
            }
        }
    }

    /// <summary><see cref="CrawlSkipRules.Extension"/> when extensions are given and the URL's path (not query) ends in none of them.</summary>
    public string? CheckUrl(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (_extensions.Count == 0)
        {
            return null;
        }

        var path = Uri.UnescapeDataString(url.AbsolutePath);
        var name = path[(path.LastIndexOf('/') + 1)..];
        var dot = name.LastIndexOf('.');
        return dot >= 0 && _extensions.Contains(name[(dot + 1)..].ToLowerInvariant()) ? null : CrawlSkipRules.Extension;
    }

    /// <summary>
    /// <see cref="CrawlSkipRules.MinWidth"/> or <see cref="CrawlSkipRules.MinHeight"/> when the page states a dimension
    /// below the limit; a dimension the page does not state passes (it is not known until the image is fetched).
    /// </summary>
    public string? CheckDimensions(int? width, int? height)
    {
        if (width < _options.MinWidth)
        {
            return CrawlSkipRules.MinWidth;
        }

        return height < _options.MinHeight ? CrawlSkipRules.MinHeight : null;
    }

    /// <summary>
    /// <see cref="CrawlSkipRules.MinBytes"/> or <see cref="CrawlSkipRules.MaxBytes"/> when the size is known
    /// (<c>Content-Length</c>, or the bytes received) and out of bounds; an unknown size passes.
    /// </summary>
    public string? CheckSize(long? contentLength)
    {
        if (contentLength < _options.MinBytes)
        {
            return CrawlSkipRules.MinBytes;
        }

        return contentLength > _options.MaxBytes ? CrawlSkipRules.MaxBytes : null;
    }

    private static string? Alias(string extension) => extension switch
    {
        "jpg" => "jpeg",
        "jpeg" => "jpg",
        "tif" => "tiff",
        "tiff" => "tif",
        _ => null,
    };
}
