using System.Net;
using System.Text;
using Haul.Input;

namespace Haul.Identity;

/// <summary>
/// Reads a <c>.netrc</c> (as curl, wget and ftp do): <c>machine NAME</c> starts an entry and <c>default</c> the entry
/// for any other host; <c>login</c> and <c>password</c> give its credentials; <c>account</c> is read and ignored;
/// <c>macdef NAME</c> skips a macro up to the next blank line; <c>#</c> at the start of a line is a comment. Values may
/// be double-quoted, with <c>\"</c>, <c>\\</c> and <c>\n</c> inside. A malformed file stops the reading with an
/// <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
internal static class NetrcFile
{
    /// <summary>A larger file (in characters, 1 MiB) is refused, read no further: a netrc holds a few credentials.</summary>
    public const int MaxFileChars = 1 << 20;

    /// <summary>
    /// The default file: <c>.netrc</c> in the folder of <c>HOME</c> (on Windows <c>HOME</c>, else <c>USERPROFILE</c>);
    /// null when that is not set to an absolute path. Nothing else is guessed: a home folder that resolves to nothing
    /// must not make the current folder's <c>.netrc</c> the one read.
    /// </summary>
    public static string? DefaultPath => DefaultPathIn(Environment.GetEnvironmentVariable);

    /// <summary><see cref="DefaultPath"/> with the environment's variables read by <paramref name="variable"/>.</summary>
    public static string? DefaultPathIn(Func<string, string?> variable)
    {
        var home = variable("HOME");
        if (string.IsNullOrEmpty(home) && OperatingSystem.IsWindows())
        {
            home = variable("USERPROFILE");
        }

        return string.IsNullOrEmpty(home) || !Path.IsPathFullyQualified(home) ? null : Path.Combine(home, ".netrc");
    }

    /// <summary>The entries of the file at <paramref name="path"/>: host (lower case) to credential; the <c>default</c> entry under the empty key.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read or is malformed.</exception>
    public static IReadOnlyDictionary<string, NetworkCredential> Read(string path)
    {
        string text;
        try
        {
            // Read as a stream and bounded: a device such as /dev/zero has no length to check first.
            text = BoundedLineReader.ReadAllText(path, $"the netrc file '{path}'", MaxFileChars);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"the netrc file '{path}' cannot be read: {exception.Message}", exception);
        }

        return Parse(text, path);
    }

    /// <summary>The entries of a netrc's text; <paramref name="name"/> names it in errors.</summary>
    public static IReadOnlyDictionary<string, NetworkCredential> Parse(string text, string name)
    {
        var entries = new Dictionary<string, NetworkCredential>(StringComparer.Ordinal);
        string? machine = null;
        string? login = null;
        string? password = null;
        var inEntry = false;
        var inMacro = false;
        string? expecting = null;
        var lines = text.Split('\n');

        void Finish()
        {
            // The first entry for a host wins, as in curl.
            if (inEntry && login is not null && machine is not null)
            {
                entries.TryAdd(machine, new NetworkCredential(login, password ?? string.Empty));
            }

            (machine, login, password, inEntry) = (null, null, null, false);
        }

        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1].TrimEnd('\r');
            if (inMacro)
            {
                inMacro = !string.IsNullOrWhiteSpace(line);
                continue;
            }

            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            foreach (var token in Tokens(line, name, number))
            {
                if (expecting is not null)
                {
                    switch (expecting)
                    {
                        case "machine":
                            machine = token.ToLowerInvariant();
                            break;
                        case "login":
                            login = token;
                            break;
                        case "password":
                            password = token;
                            break;
                        case "macdef":
                            // The macro's body starts on the next line and ends at a blank one.
                            inMacro = true;
                            break;
                    }

                    expecting = null;
                    continue;
                }

                switch (token)
                {
                    case "machine":
                        Finish();
                        inEntry = true;
                        expecting = token;
                        break;
                    case "default":
                        Finish();
                        inEntry = true;
                        machine = string.Empty;
                        break;
                    case "login" or "password" or "account" or "macdef":
                        if (!inEntry && token is "login" or "password")
                        {
                            throw new InvalidDataException($"the netrc file '{name}' line {number}: '{token}' before any 'machine' or 'default'");
                        }

                        expecting = token;
                        break;
                    default:
                        // The token is not shown: after an unquoted password with a space in it, it is the password's end.
                        throw new InvalidDataException($"the netrc file '{name}' line {number}: an unexpected word (a password with a space must be quoted)");
                }

                if (inMacro)
                {
                    break;
                }
            }

            if (expecting == "macdef")
            {
                throw new InvalidDataException($"the netrc file '{name}' line {number}: 'macdef' without a name");
            }
        }

        if (expecting is not null)
        {
            throw new InvalidDataException($"the netrc file '{name}' line {lines.Length}: '{expecting}' without a value");
        }

        Finish();
        return entries;
    }

    private static List<string> Tokens(string line, string name, int number)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            var token = new StringBuilder();
            if (line[i] == '"')
            {
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    var c = line[i++];
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }

                    if (c == '\\' && i < line.Length)
                    {
                        var escaped = line[i++];
                        token.Append(escaped switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escaped });
                    }
                    else
                    {
                        token.Append(c);
                    }
                }

                if (!closed)
                {
                    throw new InvalidDataException($"the netrc file '{name}' line {number}: a quoted value is not closed");
                }
            }
            else
            {
                while (i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    token.Append(line[i++]);
                }
            }

            tokens.Add(token.ToString());
        }

        return tokens;
    }
}
