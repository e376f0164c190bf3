using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Haul.Journal.Postgres;

/// <summary>
/// Where a PostgreSQL journal is, as a user gives it: a libpq URI (<c>postgres://</c> or <c>postgresql://</c>, as
/// <c>psql</c> takes) or an Npgsql connection string. Only what locates and secures the connection is taken from a URI.
/// </summary>
public static partial class PostgresConnection
{
    /// <summary>Turns a URI or a connection string into an Npgsql connection string.</summary>
    /// <exception cref="ArgumentException">It is neither, said in one line without its password.</exception>
    public static string Parse(string journal)
    {
        if (string.IsNullOrWhiteSpace(journal))
        {
            throw new ArgumentException("the journal (--journal) is empty");
        }

        var builder = journal.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || journal.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUri(journal)
            : IsKeywordString(journal) ? FromKeywords(journal) : FromConnectionString(journal);
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new ArgumentException($"the journal '{Redact(journal)}' names no host");
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// The journal's location without its password, for messages: by plain string work, so that a URI too malformed to
    /// parse (a password with <c>@</c>, <c>#</c> or <c>/</c>, a bad port) is redacted too.
    /// </summary>
    public static string Redact(string journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var scheme = journal.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var start = scheme + 3;
            var at = journal.LastIndexOf('@');
            var colon = journal.IndexOf(':', start);
            if (at > start && colon > start && colon < at)
            {
                journal = string.Concat(journal.AsSpan(0, colon + 1), "***", journal.AsSpan(at));
            }
        }

        return Password().Replace(journal, "${key}=***");
    }

    [GeneratedRegex(@"(?<key>password|pwd)\s*=\s*(""[^""]*""|'[^']*'|[^;&]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Password();



    private static NpgsqlConnectionStringBuilder FromConnectionString(string journal)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(journal);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or InvalidCastException)
        {
            throw new ArgumentException(
                $"the journal '{Redact(journal)}' is neither a postgres:// URI nor a connection string (Host=…;Database=…): {exception.Message}");
        }
    }

    /// <summary>
    /// Whether <paramref name="journal"/> is libpq's keyword form, as <c>psql</c> takes it (<c>host=h port=5432
    /// dbname=d</c>): pairs apart by spaces, where a connection string's are apart by semicolons.
    /// </summary>
    private static bool IsKeywordString(string journal) =>
        !journal.Contains(';', StringComparison.Ordinal) && KeywordPair().Count(journal) > 1;

    /// <summary>libpq's keyword form: <c>name=value</c> pairs apart by spaces, a value in single quotes with <c>\'</c> and <c>\\</c> escapes.</summary>
    private static NpgsqlConnectionStringBuilder FromKeywords(string journal)
    {
        var builder = new NpgsqlConnectionStringBuilder();
        var i = 0;
        while (true)
        {
            while (i < journal.Length && char.IsWhiteSpace(journal[i]))
            {
                i++;
            }

            if (i == journal.Length)
            {
                return builder;
            }

            var equals = journal.IndexOf('=', i);
            if (equals < 0)
            {
                throw new ArgumentException($"the journal '{Redact(journal)}' has a word without a value: '{journal[i..].Split(' ')[0]}'");
            }

            var name = journal[i..equals].Trim();
            i = equals + 1;
            while (i < journal.Length && journal[i] == ' ')
            {
                i++;
            }

            var value = new System.Text.StringBuilder();
            if (i < journal.Length && journal[i] == '\'')
            {
                for (i++; ; i++)
                {
                    if (i == journal.Length)
                    {
                        throw new ArgumentException($"the journal '{Redact(journal)}' has a quote that does not end");
                    }

                    if (journal[i] == '\\' && i + 1 < journal.Length)
                    {
                        value.Append(journal[++i]);
                    }
                    else if (journal[i] == '\'')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(journal[i]);
                    }
                }
            }
            else
            {
                for (; i < journal.Length && !char.IsWhiteSpace(journal[i]); i++)
                {
                    value.Append(journal[i]);
                }
            }

            Apply(builder, name, value.ToString(), journal);
        }
    }

    [GeneratedRegex(@"(^|\s)[A-Za-z_]+\s*=")]
    private static partial Regex KeywordPair();

    private static NpgsqlConnectionStringBuilder FromUri(string journal)
    {
        if (!Uri.TryCreate(journal, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException($"the journal URI '{Redact(journal)}' is malformed");
        }

        var builder = new NpgsqlConnectionStringBuilder();
        if (uri.Host.Length > 0)
        {
            builder.Host = uri.Host.Trim('[', ']');
        }

        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            Apply(builder, name, value, journal);
        }

        return builder;
    }

    private static void Apply(NpgsqlConnectionStringBuilder builder, string name, string value, string journal)
    {
        switch (name)
        {
            case "host":
                builder.Host = value;
                break;
            case "port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536:
                builder.Port = port;
                break;
            case "user":
                builder.Username = value;
                break;
            case "password":
                builder.Password = value;
                break;
            case "dbname":
                builder.Database = value;
                break;
            case "application_name":
                builder.ApplicationName = value;
                break;
            case "connect_timeout" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds):
                builder.Timeout = Math.Clamp(seconds, 1, 1024);
                break;
            case "sslmode":
                builder.SslMode = value switch
                {
                    "disable" => SslMode.Disable,
                    "allow" => SslMode.Allow,
                    "prefer" => SslMode.Prefer,
                    "require" => SslMode.Require,
                    "verify-ca" => SslMode.VerifyCA,
                    "verify-full" => SslMode.VerifyFull,
                    _ => throw new ArgumentException($"the journal URI '{Redact(journal)}' has an unknown sslmode '{value}'"),
                };
                break;
            case "sslrootcert":
                builder.RootCertificate = value;
                break;
            default:
                throw new ArgumentException($"the journal URI '{Redact(journal)}' has a parameter Haul does not take: '{name}'");
        }
    }
}
