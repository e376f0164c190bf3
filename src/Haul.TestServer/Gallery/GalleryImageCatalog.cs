using System.Collections.Concurrent;

namespace Haul.TestServer;

/// <summary>
/// The gallery's images: every id the pages name, each in three sizes (<c>thumb</c>, <c>medium</c>, <c>full</c>) under
/// <c>/img/</c>, <c>/cdn/</c>, <c>/protected/</c> and <c>/private/</c>, plus the logo and the placeholder. Bytes come
/// from the same seeded generator as <c>/files/</c>, keyed by seed and path, so two servers with one seed serve
/// identical images.
/// </summary>
internal sealed class GalleryImageCatalog(ulong seed, GalleryOptions options)
{
    public const string BlankPath = "/static/blank.gif";

    private static readonly string[] Roots = ["img", "cdn", "protected", "private"];

    private readonly Dictionary<string, string> _extensions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Registers an image id and returns its file name (id and seeded extension), e.g. <c>p3-7.png</c>.</summary>
    public string Add(string id)
    {
        if (!_extensions.TryGetValue(id, out var extension))
        {
            var kinds = FileCatalog.Kinds;
            extension = kinds[(int)(SeededHash.Combine(seed, SeededHash.OfString(id), 0xE47UL) % (ulong)kinds.Length)].Extension;
            _extensions[id] = extension;
        }

        return id + "." + extension;
    }

    /// <summary>The image at <paramref name="path"/>, or null when the gallery has none there.</summary>
    public FileEntry? Find(string path)
    {
        if (_entries.TryGetValue(path, out var known))
        {
            return known;
        }

        long size;
        if (path == GalleryMarkup.LogoPath)
        {
            size = 2048 + (long)(SeededHash.Combine(seed, 0x1060UL) % 2048);
        }
        else if (path == BlankPath)
        {
            size = 43;
        }
        else if (Parse(path) is { } image)
        {
            var full = FullSize(image.Id);
            size = image.Variant switch
            {
                "thumb" => Math.Max(256, full / 10),
                "medium" => Math.Max(512, full / 3),
                _ => full,
            };
        }
        else
        {
            return null;
        }

        var extension = path[(path.LastIndexOf('.') + 1)..];
        var contentType = FileCatalog.Kinds.First(k => k.Extension == extension).ContentType;
        return _entries.GetOrAdd(path, p => FileCatalog.Create(seed, p, size, contentType));
    }

    private long FullSize(string id)
    {
        var u = SeededHash.ToUnit(SeededHash.Combine(seed, SeededHash.OfString(id), 0x5123UL));
        var logMin = Math.Log(options.MinImageSize);
        var logMax = Math.Log(options.MaxImageSize);
        return Math.Clamp((long)Math.Round(Math.Exp(logMin + (u * (logMax - logMin)))), options.MinImageSize, options.MaxImageSize);
    }

    /// <summary>Reads <c>/ROOT/VARIANT/ID.EXT</c> for a registered id with its own extension.</summary>
    private (string Id, string Variant)? Parse(string path)
    {
        var segments = path.Split('/');
        if (segments.Length != 4 || segments[0].Length != 0 || !Roots.Contains(segments[1])
            || segments[2] is not ("thumb" or "medium" or "full"))
        {
            return null;
        }

        var dot = segments[3].LastIndexOf('.');
        if (dot <= 0 || !_extensions.TryGetValue(segments[3][..dot], out var extension) || segments[3][(dot + 1)..] != extension)
        {
            return null;
        }

        return (segments[3][..dot], segments[2]);
    }
}
