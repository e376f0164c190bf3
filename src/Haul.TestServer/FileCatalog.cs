using System.Globalization;

namespace Haul.TestServer;

/// <summary>The deterministic file set derived from the options' seed.</summary>
internal sealed class FileCatalog
{
    internal static readonly (string Extension, string ContentType)[] Kinds =
        [("jpg", "image/jpeg"), ("png", "image/png"), ("gif", "image/gif"), ("webp", "image/webp")];

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, FileEntry> _byPath = new(StringComparer.Ordinal);

    public FileCatalog(HostileServerOptions options)
    {
        var seed = (ulong)(uint)options.Seed;
        var entries = new List<FileEntry>(options.FileCount + options.ExtraFileSizes.Count);
        var logMin = Math.Log(options.MinFileSize);
        var logMax = Math.Log(options.MaxFileSize);
        for (var i = 0; i < options.FileCount; i++)
        {
            var (extension, contentType) = Kinds[i % Kinds.Length];
            var u = SeededHash.ToUnit(SeededHash.Combine(seed, (ulong)i, 0x512EUL));
            var size = (long)Math.Round(Math.Exp(logMin + (u * (logMax - logMin))));
            size = Math.Clamp(size, options.MinFileSize, options.MaxFileSize);
            var path = "/files/img" + i.ToString("D5", CultureInfo.InvariantCulture) + "." + extension;
            entries.Add(Create(seed, path, size, contentType));
        }

        for (var i = 0; i < options.ExtraFileSizes.Count; i++)
        {
            var path = "/files/large" + i.ToString("D5", CultureInfo.InvariantCulture) + ".jpg";
            entries.Add(Create(seed, path, options.ExtraFileSizes[i], "image/jpeg"));
        }

        Entries = entries;
        foreach (var entry in entries)
        {
            _byPath[entry.Path] = entry;
        }
    }

    public IReadOnlyList<FileEntry> Entries { get; }

    public FileEntry? Find(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>A file of seeded content; its key, and so its bytes, depend on the seed and the path alone.</summary>
    internal static FileEntry Create(ulong seed, string path, long size, string contentType)
    {
        var key = SeededHash.Combine(seed, SeededHash.OfString(path));
        return new FileEntry(path, size, contentType, key, LastModified(key));
    }

    /// <summary>A page with these bytes; <paramref name="identity"/> (path and query) seeds its validators.</summary>
    internal static FileEntry CreatePage(ulong seed, string path, string identity, IEntryContent content)
    {
        var key = SeededHash.Combine(seed, SeededHash.OfString(identity));
        return new FileEntry(path, content, "text/html; charset=utf-8", key, LastModified(key));
    }

    private static DateTimeOffset LastModified(ulong key) =>
        Epoch.AddSeconds((long)(SeededHash.Combine(key, 0xDA7EUL) % (366UL * 24 * 3600)));
}
