using System.Globalization;

namespace Haul.TestServer;

/// <summary>A single-range <c>bytes=</c> request as sent: <c>a-b</c>, <c>a-</c>, or suffix <c>-n</c> (Start null, End n).</summary>
internal readonly record struct ByteRange(long? Start, long? End)
{
    /// <summary>Parses a Range header; null for anything this server ignores (other units, multiple ranges, bad syntax).</summary>
    public static ByteRange? Parse(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var spec = text[6..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || spec.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        long? start = null;
        long? end = null;
        if (first.Length > 0)
        {
            if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                return null;
            }

            start = s;
        }

        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                return null;
            }

            end = e;
        }

        if (start is null && end is null)
        {
            return null;
        }

        if (start is { } a && end is { } b && b < a)
        {
            return null;
        }

        return new ByteRange(start, end);
    }

    /// <summary>Resolves against a file size: (true, start, endInclusive) when satisfiable, (false, ...) for 416.</summary>
    public (bool Satisfiable, long Start, long End) Resolve(long size)
    {
        if (Start is null)
        {
            var suffix = End!.Value;
            if (suffix == 0 || size == 0)
            {
                return (false, 0, 0);
            }

            return (true, Math.Max(0, size - suffix), size - 1);
        }

        var start = Start.Value;
        if (start >= size)
        {
            return (false, 0, 0);
        }

        var end = End is { } e ? Math.Min(e, size - 1) : size - 1;
        return (true, start, end);
    }
}
