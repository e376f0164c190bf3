using Haul.Input;

namespace Haul.Discovery;

/// <summary>
/// Gathers a page's images and links in document order, de-duplicated by absolute URL: an image keeps its first
/// source and the first alt, width and height any occurrence gave; a link keeps its strongest kind.
/// </summary>
internal sealed class ExtractionCollector
{
    private readonly List<ImageEntry> _images = [];
    private readonly Dictionary<string, ImageEntry> _imagesByKey = new(StringComparer.Ordinal);
    private readonly List<LinkEntry> _links = [];
    private readonly Dictionary<string, LinkEntry> _linksByKey = new(StringComparer.Ordinal);

    /// <summary>The image slots seen so far.</summary>
    public int ImageSlots { get; private set; }

    /// <summary>Counts one image slot.</summary>
    public void AddSlot() => ImageSlots++;

    /// <summary>Adds an image, or completes the one already found at the same URL.</summary>
    public void AddImage(Uri url, ImageSource source, string? alt = null, int? width = null, int? height = null)
    {
        var key = Key(url);
        if (!_imagesByKey.TryGetValue(key, out var entry))
        {
            entry = new ImageEntry(url, source);
            _imagesByKey.Add(key, entry);
            _images.Add(entry);
        }

        entry.Alt ??= alt;
        entry.Width ??= width;
        entry.Height ??= height;
    }

    /// <summary>Adds a link, or raises the kind of the one already found at the same URL.</summary>
    public void AddLink(Uri url, LinkKind kind)
    {
        var key = Key(url);
        if (!_linksByKey.TryGetValue(key, out var entry))
        {
            entry = new LinkEntry(url, kind);
            _linksByKey.Add(key, entry);
            _links.Add(entry);
        }
        else if (kind > entry.Kind)
        {
            entry.Kind = kind;
        }
    }

    /// <summary>What was gathered, with the parser's error count and the page title.</summary>
    public PageExtraction Build(int parseErrors, string? title) => new(
        _images.ConvertAll(e => new FoundImage(e.Url, e.Alt, e.Width, e.Height, e.Source)),
        _links.ConvertAll(e => new FoundLink(e.Url, e.Kind)),
        ImageSlots,
        parseErrors,
        title);

    private static string Key(Uri url) =>
        url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps ? UrlNormalizer.Normalize(url) : url.AbsoluteUri;

    private sealed class ImageEntry(Uri url, ImageSource source)
    {
        public Uri Url { get; } = url;

        public ImageSource Source { get; } = source;

        public string? Alt { get; set; }

        public int? Width { get; set; }

        public int? Height { get; set; }
    }

    private sealed class LinkEntry(Uri url, LinkKind kind)
    {
        public Uri Url { get; } = url;

        public LinkKind Kind { get; set; } = kind;
    }
}
