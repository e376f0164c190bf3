using Haul.Input;
using Haul.Writing;
using Microsoft.Data.Sqlite;

namespace Haul.Journal;

/// <summary>
/// Adds one batch of requests inside a transaction: normalised URLs are the identity of items, the first line of a URL
/// wins, and a later line that disagrees with it (another output path or SHA-256) is skipped with the reason. An
/// expected SHA-256 given on a later run replaces the recorded one.
/// </summary>
internal sealed class ItemAdder : IDisposable
{
    private readonly Dictionary<string, JournalItem> _byUrl;
    private readonly Dictionary<string, DownloadRequest> _firstInBatch = new(StringComparer.Ordinal);
    private readonly HashSet<long> _returned = [];
    private readonly PathClaims _claims = new();
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _reopen;
    private readonly SqliteCommand _expect;

    public ItemAdder(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<JournalItem> existing, string now)
    {
        _byUrl = new Dictionary<string, JournalItem>(StringComparer.Ordinal);
        foreach (var item in existing)
        {
            _byUrl[item.Url] = item;
            if (item.OutputPath is not null)
            {
                _claims.Add(item.OutputPath);
            }
        }

        _insert = Command(connection, transaction, "INSERT INTO items (url, kind, state, output_path, expected_sha256, updated_at) VALUES ($url, 0, 0, $path, $sha, $now) RETURNING id;", "$url", "$path", "$sha");
        _insert.Parameters.AddWithValue("$now", now);
        _reopen = Command(connection, transaction, "UPDATE items SET state = 0 WHERE id = $id;", "$id");
        _expect = Command(connection, transaction, "UPDATE items SET expected_sha256 = $sha WHERE id = $id;", "$id", "$sha");
    }

    /// <summary>The items of the batch, in input order, without duplicates.</summary>
    public List<JournalItem> Items { get; } = [];

    /// <summary>Requests that were not added, with their rule.</summary>
    public List<SkippedInput> Skipped { get; } = [];

    public async Task AddAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        var url = UrlNormalizer.Normalize(request.Url);
        string? chosenPath = null;
        if (request.OutputPath is { } outputPath)
        {
            if (OutputPathMapper.CheckRelative(outputPath) is { } problem)
            {
                Skip(request, url, problem);
                return;
            }

            chosenPath = OutputPathMapper.SanitizeRelative(outputPath);
        }

        if (_firstInBatch.TryGetValue(url, out var first))
        {
            if (Conflict(first, request) is { } field)
            {
                Skip(request, url, $"duplicate of {first.Source ?? "an earlier entry"} with a different {field}; the first one is kept");
            }

            return;
        }

        _firstInBatch[url] = request;
        if (_byUrl.TryGetValue(url, out var item))
        {
            if (chosenPath is not null && item.OutputPath is not null
                && !string.Equals(chosenPath, item.OutputPath, StringComparison.OrdinalIgnoreCase))
            {
                Skip(request, url, $"already in this job with the output path '{item.OutputPath}'");
                return;
            }

            await UpdateAsync(item, request.ExpectedSha256, cancellationToken).ConfigureAwait(false);
            return;
        }

        var path = _claims.Claim(chosenPath ?? OutputPathMapper.Map(new Uri(url)), url);
        _insert.Parameters["$url"].Value = url;
        _insert.Parameters["$path"].Value = path;
        _insert.Parameters["$sha"].Value = (object?)request.ExpectedSha256 ?? DBNull.Value;
        var id = (long)(await _insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        item = new JournalItem { Id = id, Url = url, OutputPath = path, ExpectedSha256 = request.ExpectedSha256 };
        _byUrl[url] = item;
        _returned.Add(id);
        Items.Add(item);
    }

    public void Dispose()
    {
        _insert.Dispose();
        _reopen.Dispose();
        _expect.Dispose();
    }

    private async Task UpdateAsync(JournalItem item, string? expectedSha256, CancellationToken cancellationToken)
    {
        if (expectedSha256 is not null && !string.Equals(expectedSha256, item.ExpectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            // A checksum added or changed on a later run applies: a done file that does not match it is fetched again.
            _expect.Parameters["$id"].Value = item.Id;
            _expect.Parameters["$sha"].Value = expectedSha256;
            await _expect.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            item = item with { ExpectedSha256 = expectedSha256 };
        }

        var keepDone = item.State == ItemState.Done
            && (item.ExpectedSha256 is null || string.Equals(item.ExpectedSha256, item.Sha256, StringComparison.OrdinalIgnoreCase));
        if (!keepDone && item.State != ItemState.Pending)
        {
            _reopen.Parameters["$id"].Value = item.Id;
            await _reopen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            item = item with { State = ItemState.Pending };
        }

        _byUrl[item.Url] = item;
        if (_returned.Add(item.Id))
        {
            Items.Add(item);
        }
    }

    private void Skip(DownloadRequest request, string url, string rule) =>
        Skipped.Add(new SkippedInput(url, request.Source ?? "input", rule));

    private static string? Conflict(DownloadRequest first, DownloadRequest other)
    {
        if (!string.Equals(first.OutputPath, other.OutputPath, StringComparison.Ordinal))
        {
            return "output path";
        }

        return string.Equals(first.ExpectedSha256, other.ExpectedSha256, StringComparison.OrdinalIgnoreCase) ? null : "sha256";
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
