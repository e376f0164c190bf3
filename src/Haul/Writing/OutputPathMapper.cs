using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Haul.Journal;
using Haul.Reporting;
using Haul.Text;

namespace Haul.Writing;

/// <summary>
/// Maps a URL to a safe relative path under the output folder: <c>host[_port]/path</c>, with the query folded into a
/// stable suffix. No URL can escape the folder: <c>..</c>, encoded separators, control and invisible characters,
/// reserved device names and over-long names are all neutralised. No path lands on Haul's own files at the top of the
/// folder (<c>.haul/</c>, <c>report.json</c>, <c>failed.txt</c>, <c>images.jsonl</c>): such a first segment gets a leading <c>_</c>.
/// </summary>
public static class OutputPathMapper
{
    /// <summary>The longest file or folder name written, in UTF-8 bytes; most file systems allow 255.</summary>
    private const int MaxSegmentBytes = 200;

    private static readonly SearchValues<char> Forbidden = SearchValues.Create("<>:\"|?*\\/");

    private static readonly HashSet<string> ReservedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> ReservedStems = ReservedNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Names at the top of the output folder that belong to Haul itself; no download may land on them.</summary>
    private static readonly HashSet<string> HaulNames = new(StringComparer.OrdinalIgnoreCase)
    {
        SqliteJobJournal.StateFolderName,
        ReportWriter.ReportFileName,
        ReportWriter.FailedFileName,
        ReportWriter.ReportFileName + ".tmp",
        ReportWriter.FailedFileName + ".tmp",
        ImageListWriter.FileName,
        ImageListWriter.FileName + ".tmp",
    };

    /// <summary>The relative path (with '/' separators) where the file of <paramref name="url"/> belongs.</summary>
    public static string Map(Uri url)
    {
        var segments = new List<string> { AvoidHaulNames(HostFolder(url)) };
        var rawSegments = url.AbsolutePath.Split('/');
        for (var i = 0; i < rawSegments.Length; i++)
        {
            var isLast = i == rawSegments.Length - 1;
            var raw = rawSegments[i];
            if (raw.Length == 0)
            {
                if (isLast)
                {
                    segments.Add("index.html");
                }

                continue;
            }

            segments.Add(SanitizeSegment(Uri.UnescapeDataString(raw)));
        }

        if (segments.Count == 1)
        {
            segments.Add("index.html");
        }

        if (url.Query.Length > 1)
        {
            segments[^1] = AddSuffix(segments[^1], "~" + ShortHash(url.Query[1..]));
        }

        return string.Join('/', segments);
    }

    /// <summary>
    /// Null when <paramref name="path"/> (an output path given by the input, relative to the output folder) can be
    /// used, else why not: it is a URL (a second URL on a list's line, whose <c>user:password@</c> would become a folder
    /// name and be stored), names no file, or climbs with <c>..</c>.
    /// </summary>
    public static string? CheckRelative(string path)
    {
        if (path.Contains("://", StringComparison.Ordinal))
        {
            return $"output path '{path}' is a URL: the field after the URL is a path in the output folder";
        }

        var segments = path.Split('/', '\\');
        if (segments.Any(s => s == ".."))
        {
            return $"output path '{path}' climbs out of its folder with '..'";
        }

        return segments.All(s => s.Length == 0 || s == ".") ? $"output path '{path}' names no file" : null;
    }

    /// <summary>Makes a path given by the user (relative to the output folder) safe, segment by segment.</summary>
    /// <exception cref="ArgumentException">The path names no file (see <see cref="CheckRelative"/>).</exception>
    public static string SanitizeRelative(string path)
    {
        var segments = path.Split('/', '\\')
            .Where(s => s.Length > 0 && s != ".")
            .Select(SanitizeSegment)
            .ToList();
        if (segments.Count == 0)
        {
            throw new ArgumentException($"'{path}' names no file.", nameof(path));
        }

        segments[0] = AvoidHaulNames(segments[0]);
        return string.Join('/', segments);
    }

    /// <summary>Adds a deterministic suffix before the extension, to make a path unique.</summary>
    public static string AddSuffix(string relativePath, string suffix)
    {
        var slash = relativePath.LastIndexOf('/');
        var folder = slash < 0 ? string.Empty : relativePath[..(slash + 1)];
        var name = relativePath[(slash + 1)..];
        var dot = name.LastIndexOf('.');
        var renamed = dot > 0 ? name[..dot] + suffix + name[dot..] : name + suffix;
        return folder + Shorten(renamed);
    }

    /// <summary>Resolves a relative path under <paramref name="root"/>, refusing anything that would land outside it.</summary>
    public static string Resolve(string root, string relativePath)
    {
        var fullRoot = Path.GetFullPath(root);
        var full = Path.GetFullPath(Path.Combine(fullRoot, relativePath.Replace('/', Path.DirectorySeparatorChar)));
        var prefix = Path.EndsInDirectorySeparator(fullRoot) ? fullRoot : fullRoot + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The path '{relativePath}' would leave the output folder.");
        }

        return full;
    }

    /// <summary>A short stable hash of a text: the first 8 hex digits of its SHA-256.</summary>
    public static string ShortHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];

    private static string AvoidHaulNames(string topSegment) => HaulNames.Contains(topSegment) ? "_" + topSegment : topSegment;

    private static string HostFolder(Uri url)
    {
        var host = SanitizeSegment(url.IdnHost.Trim('[', ']').ToLowerInvariant());
        return url.IsDefaultPort ? host : $"{host}_{url.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string SanitizeSegment(string segment)
    {
        // Printable ASCII but the forbidden characters, the usual name, is kept as it is (and is its own NFC form).
        var span = segment.AsSpan();
        var name = span.IndexOfAnyExceptInRange(' ', '~') < 0 && !span.ContainsAny(Forbidden)
            ? segment
            : Replaced(segment);

        // Windows drops trailing dots and spaces; "." and ".." must never be a name.
        name = name.TrimEnd('.', ' ');
        if (name.Length == 0)
        {
            name = "_";
        }

        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (ReservedStems.Contains(dot < 0 ? name : name.AsSpan(0, dot)))
        {
            name = "_" + name;
        }

        return Shorten(name);
    }

    /// <summary>The segment in NFC with every character a name must not hold replaced by <c>_</c>.</summary>
    private static string Replaced(string segment)
    {
        // One name for composed and decomposed forms ("é" and "e\u0301"), as macOS file systems treat them as one.
        var text = Nfc.Normalize(segment);
        var builder = new StringBuilder(text.Length);
        Span<char> units = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned)
            {
                builder.Append('_');
            }
            else if (rune.IsAscii && Forbidden.Contains((char)rune.Value))
            {
                builder.Append('_');
            }
            else
            {
                builder.Append(units[..rune.EncodeToUtf16(units)]);
            }
        }

        return builder.ToString();
    }

    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxSegmentBytes)
        {
            return name;
        }

        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 12 ? name[dot..] : string.Empty;
        var suffix = "~" + ShortHash(name) + extension;
        var budget = MaxSegmentBytes - Encoding.UTF8.GetByteCount(suffix);
        var builder = new StringBuilder();
        var used = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            used += rune.Utf8SequenceLength;
            if (used > budget)
            {
                break;
            }

            builder.Append(rune.ToString());
        }

        return builder + suffix;
    }
}
