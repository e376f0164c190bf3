using System.Globalization;
using Haul.Writing;

namespace Haul.Input;

/// <summary>
/// Reads URL lists: one URL a line, <c>#</c> comments and blank lines ignored, then optionally, separated by tabs,
/// an output path and <c>sha256=HEX</c>. A bad line is skipped with its line number and the rule it broke.
/// </summary>
public static class UrlListParser
{
    /// <summary>Streams the entries of <paramref name="reader"/>, one line at a time: a list of any length never sits in memory.</summary>
    public static async IAsyncEnumerable<InputEntry> ReadAsync(
        TextReader reader, string sourceName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        var batch = new InputBatch();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            ParseLine(line, $"{sourceName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}", batch);
            foreach (var skipped in batch.Skipped)
            {
                yield return skipped;
            }

            foreach (var request in batch.Requests)
            {
                yield return request;
            }

            batch.Skipped.Clear();
            batch.Requests.Clear();
        }
    }

    /// <summary>Parses every line of <paramref name="reader"/> into memory.</summary>
    public static async Task<InputBatch> ParseAsync(TextReader reader, string sourceName, CancellationToken cancellationToken)
    {
        var batch = new InputBatch();
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            ParseLine(line, $"{sourceName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}", batch);
        }

        return batch;
    }

    /// <summary>Parses one entry (a line, or a command-line argument) into <paramref name="batch"/>.</summary>
    public static void ParseLine(string line, string source, InputBatch batch)
    {
        // A byte-order mark is not part of the first URL (editors and PowerShell write one).
        var trimmed = line.Trim().TrimStart('\uFEFF');
        if (trimmed.Length == 0 || trimmed.StartsWith('#'))
        {
            return;
        }

        var fields = trimmed.Split('\t', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        // A skipped line is shown and stored without the password its URL may carry.
        trimmed = fields.Length > 0 ? trimmed.Replace(fields[0], UrlRules.Redact(fields[0]), StringComparison.Ordinal) : trimmed;
        string? outputPath = null;
        string? sha256 = null;
        foreach (var field in fields.Skip(1))
        {
            if (field.StartsWith('#'))
            {
                break;
            }

            if (field.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
            {
                var hex = field["sha256=".Length..];
                if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
                {
                    batch.Skipped.Add(new SkippedInput(trimmed, source, "sha256 must be 64 hexadecimal digits"));
                    return;
                }

                sha256 = hex.ToLowerInvariant();
            }
            else if (outputPath is null)
            {
                outputPath = field;
            }
            else
            {
                batch.Skipped.Add(new SkippedInput(trimmed, source, $"unexpected field '{field}'"));
                return;
            }
        }

        if (UrlRules.Check(fields[0]) is { } rule)
        {
            batch.Skipped.Add(new SkippedInput(UrlRules.Redact(fields[0]), source, rule));
            return;
        }

        if (outputPath is not null && OutputPathMapper.CheckRelative(outputPath) is { } badPath)
        {
            batch.Skipped.Add(new SkippedInput(trimmed, source, badPath));
            return;
        }

        // Credentials in the URL are kept apart from it, so that the URL can be stored and shown.
        var url = new Uri(fields[0], UriKind.Absolute);
        batch.Requests.Add(new DownloadRequest(UrlRules.WithoutCredentials(url), outputPath, sha256, source) { Credential = UrlRules.Credentials(url) });
    }
}
