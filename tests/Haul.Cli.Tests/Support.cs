using System.Security.Cryptography;
using System.Text.Json;
using Haul.TestServer;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Tests;

/// <summary>One row of the journal's <c>items</c> table.</summary>
internal sealed record JournalRow(string Url, int State, string? OutputPath, string? Sha256, int Attempts)
{
    public const int Pending = 0;
    public const int InProgress = 1;
    public const int Done = 2;
    public const int Failed = 3;
    public const int Skipped = 4;
}

internal static class Support
{
    /// <summary>Reads every item of OUT/.haul/journal.db with a read-only connection; empty when there is no journal yet.</summary>
    public static Task<IReadOnlyList<JournalRow>> ReadJournalAsync(string output) =>
        QueryJournalAsync(output, "SELECT url, state, output_path, sha256, attempts FROM items ORDER BY id;", reader => new JournalRow(
            reader.GetString(0),
            reader.GetInt32(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetInt32(4)));

    /// <summary>
    /// Runs a query on OUT/.haul/journal.db with a read-only connection, a row at a time; empty when there is no
    /// journal, or no schema yet (a process killed before it made one).
    /// </summary>
    public static async Task<IReadOnlyList<T>> QueryJournalAsync<T>(string output, string sql, Func<SqliteDataReader, T> read)
    {
        var path = Path.Combine(output, ".haul", "journal.db");
        if (!File.Exists(path))
        {
            return [];
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode == 1 && exception.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return [];
        }
    }

    /// <summary>Reads every skipped input entry of OUT/.haul/journal.db: (source, entry, rule).</summary>
    public static async Task<IReadOnlyList<(string Source, string Entry, string Rule)>> ReadSkippedAsync(string output)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(output, ".haul", "journal.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT source, entry, rule FROM skipped ORDER BY id;";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>Where Haul puts the file of <paramref name="url"/> inside <paramref name="output"/>.</summary>
    public static string MappedPath(string output, Uri url) => OutputPathMapper.Resolve(output, OutputPathMapper.Map(url));

    public static async Task<string> Sha256OfFileAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }

    /// <summary>The file of <paramref name="url"/> exists at its mapped path with the server's content.</summary>
    public static async Task AssertFileMatchesServerAsync(HostileServer server, string output, Uri url)
    {
        var path = MappedPath(output, url);
        Assert.True(File.Exists(path), $"{url} has no file at {path}");
        Assert.Equal(server.GetFile(url.AbsolutePath).Sha256Hex, await Sha256OfFileAsync(path));
    }

    /// <summary>A user-facing error is a message, never a .NET exception dump.</summary>
    public static void AssertNoStackTrace(HaulResult result)
    {
        foreach (var text in new[] { result.Stdout, result.Stderr })
        {
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception:", text, StringComparison.Ordinal);
        }
    }

    /// <summary>Every file under <paramref name="root"/>, as full paths.</summary>
    public static string[] AllFiles(string root) =>
        Directory.Exists(root) ? Directory.GetFiles(root, "*", SearchOption.AllDirectories) : [];

    /// <summary>Downloaded files under OUT: everything but Haul's own state and reports.</summary>
    public static string[] DownloadedFiles(string output) =>
        AllFiles(output)
            .Where(f => !Path.GetRelativePath(output, f).StartsWith(".haul", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) is not ("report.json" or "failed.txt"))
            .ToArray();

    /// <summary>Parses OUT/report.json strictly: a repeated property name is an error.</summary>
    public static JsonDocument ParseReport(string output) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")), new JsonDocumentOptions { AllowDuplicateProperties = false });

    public static HostileServerOptions SmallFileSet(int files = 6, int seed = 7) => new()
    {
        Seed = seed,
        FileCount = files,
        MinFileSize = 2 * 1024,
        MaxFileSize = 64 * 1024,
    };
}
