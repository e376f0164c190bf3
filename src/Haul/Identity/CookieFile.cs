using System.Globalization;
using System.Text;
using Haul.Input;

namespace Haul.Identity;

/// <summary>
/// Reads a Netscape <c>cookies.txt</c>, as browsers' export extensions and curl's <c>-c</c> write it: one cookie a
/// line of seven tab-separated fields (domain, include-subdomains flag, path, secure flag, expiry in Unix seconds with
/// 0 for a session cookie, name, value); <c>#HttpOnly_</c> before the domain marks an HttpOnly cookie; other lines
/// starting with <c>#</c> are comments. A malformed line stops the reading with an <see cref="InvalidDataException"/>
/// naming the file and the line; a line longer than <see cref="MaxLineLength"/> is malformed, and a file larger than
/// <see cref="MaxFileChars"/> is refused, read no further.
/// </summary>
internal static class CookieFile
{
    /// <summary>The longest line read (a cookie is at most 4096 bytes of name and value).</summary>
    public const int MaxLineLength = 8192;

    /// <summary>The largest file read, in characters (256 MiB: a few million cookies, far more than a browser keeps).</summary>
    public const long MaxFileChars = 256L << 20;

    private const string HttpOnlyPrefix = "#HttpOnly_";

    /// <summary>
    /// The cookies of the file at <paramref name="path"/>, expired ones left out, read one line at a time as they are
    /// enumerated: a file of millions of lines never sits in memory.
    /// </summary>
    /// <exception cref="InvalidDataException">A line is malformed, or the file cannot be read (thrown as it is enumerated).</exception>
    public static IEnumerable<StoredCookie> Read(string path, DateTimeOffset now)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CannotRead(path, exception);
        }

        using (reader)
        {
            using var cookies = Read(reader, path, now).GetEnumerator();
            while (true)
            {
                try
                {
                    if (!cookies.MoveNext())
                    {
                        yield break;
                    }
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    throw CannotRead(path, exception);
                }

                yield return cookies.Current;
            }
        }
    }

    /// <summary>The cookies of a file's text, read as they are enumerated; <paramref name="name"/> names it in errors.</summary>
    public static IEnumerable<StoredCookie> Read(TextReader reader, string name, DateTimeOffset now)
    {
        var number = 0;
        var lines = new BoundedLineReader(reader, $"the cookie file '{name}'", MaxLineLength, MaxFileChars);
        while (lines.ReadLine() is { } read)
        {
            number++;
            if (read.TooLong)
            {
                throw new InvalidDataException($"the cookie file '{name}' line {number}: longer than {MaxLineLength} characters");
            }

            if (Parse(read.Text, now, out var problem) is { } cookie)
            {
                yield return cookie;
            }
            else if (problem is not null)
            {
                throw new InvalidDataException($"the cookie file '{name}' line {number}: {problem}");
            }
        }
    }

    /// <summary>One line: a cookie, or null with a problem (malformed) or without one (a comment, a blank or expired line).</summary>
    public static StoredCookie? Parse(string line, DateTimeOffset now, out string? problem)
    {
        problem = null;
        line = line.TrimEnd('\r');
        var httpOnly = false;
        if (line.StartsWith(HttpOnlyPrefix, StringComparison.Ordinal))
        {
            httpOnly = true;
            line = line[HttpOnlyPrefix.Length..];
        }
        else if (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        var fields = line.Split('\t');
        if (fields.Length != 7)
        {
            problem = $"expected 7 tab-separated fields (domain, subdomains, path, secure, expiry, name, value), found {fields.Length}";
            return null;
        }

        var includeSubdomains = ParseFlag(fields[1]);
        var secure = ParseFlag(fields[3]);
        if (includeSubdomains is null || secure is null)
        {
            problem = $"the subdomains and secure fields must be TRUE or FALSE, found '{Printable(fields[1])}' and '{Printable(fields[3])}'";
            return null;
        }

        if (CookieRules.CanonicalDomain(fields[0]) is not { } domain)
        {
            problem = $"'{Printable(fields[0])}' is not a domain";
            return null;
        }

        var path = fields[2].Length == 0 ? "/" : fields[2];
        if (!path.StartsWith('/'))
        {
            problem = $"the path '{Printable(path)}' does not start with '/'";
            return null;
        }

        if (!long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            problem = $"the expiry '{Printable(fields[4])}' is not a number of seconds since 1970";
            return null;
        }

        var name = fields[5];
        var value = fields[6];
        if (name.Length == 0 || name.Length + value.Length > SetCookieParser.MaxNameValueLength
            || name.Any(c => char.IsControl(c) || c is ';' or '=' or ' ') || value.Any(c => char.IsControl(c) || c == ';'))
        {
            problem = "the cookie's name is empty, too long, or holds a control character, ';' or '='";
            return null;
        }

        DateTimeOffset? expires = seconds == 0 ? null
            : seconds >= DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.MaxValue
            : DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (expires <= now)
        {
            return null;
        }

        return new StoredCookie(name, value, domain, path, HostOnly: includeSubdomains == false, secure.Value, httpOnly, expires, now);
    }

    private static InvalidDataException CannotRead(string path, Exception exception) =>
        new($"the cookie file '{path}' cannot be read: {exception.Message}", exception);

    private static bool? ParseFlag(string field) =>
        field.Equals("TRUE", StringComparison.OrdinalIgnoreCase) ? true
        : field.Equals("FALSE", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    /// <summary>A field as an error message may show it: short, its control characters escaped.</summary>
    private static string Printable(string field) => Text.PrintableText.Of(field, 40);
}
