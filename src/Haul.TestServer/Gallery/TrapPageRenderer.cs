using System.Globalization;

namespace Haul.TestServer;

/// <summary>Writes the pages that never end: the repeated-segment trap, the query trap and the calendar.</summary>
internal static class TrapPageRenderer
{
    /// <summary><c>/gallery/more/…</c>: links <c>more/</c> relatively, so every page has one segment more.</summary>
    public static string More(string path) =>
        GalleryMarkup.Open("Browse deeper")
        + GalleryMarkup.Header
        + "<p>" + path + "</p>\n<a href=\"more/\">Deeper still</a>\n"
        + GalleryMarkup.Close;

    /// <summary>The number of query parameters of the query trap page at <paramref name="query"/>.</summary>
    public static int ParameterCount(string query) => query.Split('&', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The query of the query trap page with <paramref name="count"/> parameters: <c>sort=asc</c>, then <c>f2=1</c> and so on.</summary>
    public static string SortQuery(int count) =>
        string.Join('&', Enumerable.Range(1, count).Select(i => i == 1 ? "sort=asc" : "f" + i.ToString(CultureInfo.InvariantCulture) + "=1"));

    /// <summary><c>/gallery/sort/?QUERY</c>: links the same path with one parameter more (a query-only relative reference).</summary>
    public static string Sort(string query)
    {
        var next = SortQuery(ParameterCount(query) + 1).Replace("&", "&amp;", StringComparison.Ordinal);
        return GalleryMarkup.Open("Sorted")
            + GalleryMarkup.Header
            + "<a href=\"?" + next + "\">Refine</a>\n"
            + GalleryMarkup.Close;
    }

    /// <summary>The path of a calendar month.</summary>
    public static string CalendarPath(int year, int month) =>
        string.Create(CultureInfo.InvariantCulture, $"/calendar/{year:D4}/{month:D2}");

    /// <summary>
    /// <c>/calendar/YYYY/MM</c>: no image but the site's logo (which every page has, so it is never new), a link to the
    /// next month and one home.
    /// </summary>
    public static string Calendar(int year, int month)
    {
        var (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1);
        return GalleryMarkup.Open(string.Create(CultureInfo.InvariantCulture, $"Calendar {year:D4}-{month:D2}"))
            + GalleryMarkup.Header
            + "<table><tr><td>1</td><td>2</td><td>3</td></tr></table>\n"
            + "<a href=\"" + CalendarPath(nextYear, nextMonth) + "\">Next month</a> <a href=\"/gallery/\">Gallery</a>\n"
            + GalleryMarkup.Close;
    }

    /// <summary>Parses <c>/calendar/YYYY/MM</c>; false for anything else.</summary>
    public static bool TryParseCalendar(string path, out int year, out int month)
    {
        year = 0;
        month = 0;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 3 && segments[0] == "calendar"
            && segments[1].Length == 4 && int.TryParse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture, out year) && year >= 1
            && segments[2].Length == 2 && int.TryParse(segments[2], NumberStyles.None, CultureInfo.InvariantCulture, out month) && month is >= 1 and <= 12;
    }

    /// <summary>Whether <paramref name="path"/> is <c>/gallery/more/</c> followed by zero or more <c>more/</c>.</summary>
    public static bool IsMorePath(string path)
    {
        if (!path.StartsWith(GalleryMarkup.MorePath, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path[GalleryMarkup.MorePath.Length..];
        return rest.Length % 5 == 0 && rest.Length <= 5 * 64 && Enumerable.Range(0, rest.Length / 5).All(i => rest.AsSpan(i * 5, 5).SequenceEqual("more/"));
    }
}
