using System.Globalization;
using Haul.Writing;

namespace Haul.Input;

/// <summary>
/// Reads URL lists: one URL a line, <c>#</c> comments and blank lines ignored, then optionally, separated by tabs,
/// an output path and <c>sha256=HEX</c>. A bad line is skipped with its line number and the rule it broke, a line
/// longer than <see cref="MaxLineLength"/> characters too.
/// </summary>
public static class UrlListParser
{
    /// <summary>The longest line read (a URL, an output path and a hash); a longer one is skipped, and never held whole in memory.</summary>
    public const int MaxLineLength = 65_536;

    /// <summary>How much of a line too long to read is shown.</summary>
    private const int ShownLength = 100;

    /// <summary>Streams the entries of <paramref name="reader"/>, one line at a time: a list of any length never sits in memory.</summary>
    public static async IAsyncEnumerable<InputEntry> ReadAsync(
        TextReader reader, string sourceName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lineNumber = 0;
        var batch = new InputBatch();
        var lines = new BoundedLineReader(reader, sourceName, MaxLineLength);
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            var more = ParseLine(line, $"{sourceName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}", batch);
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
            if (!more)
            {
                yield break;
            }
        }
    }

    /// <summary>Parses every line of <paramref name="reader"/> into memory.</summary>
    public static async Task<InputBatch> ParseAsync(TextReader reader, string sourceName, CancellationToken cancellationToken)
    {
        var batch = new InputBatch();
        var lineNumber = 0;
        var lines = new BoundedLineReader(reader, sourceName, MaxLineLength);
        while (await lines.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (!ParseLine(line, $"{sourceName}:{lineNumber.ToString(CultureInfo.InvariantCulture)}", batch))
            {
                break;
            }
        }

        return batch;
    }

    /// <summary>Parses one line; false when the rest of its source is not to be read (it is not text).</summary>
    private static bool ParseLine(BoundedLine line, string source, InputBatch batch)
    {
        if (!line.TooLong)
        {
            ParseLine(line.Text, source, batch);
            return true;
        }

        // A line too long is skipped and the list goes on; one with NUL characters is binary data (/dev/zero, an image
        // given as a list), whose line may never end, so the rest of that source is not read.
        var binary = line.Text.Contains('\0', StringComparison.Ordinal);
        // Redacted before it is cut: a cut before the '@' would show the start of a password or token.
        var shown = Text.PrintableText.Of(Redacted(line.Text), ShownLength);
        var limit = MaxLineLength.ToString(CultureInfo.InvariantCulture);
        batch.Skipped.Add(new SkippedInput(shown, source, binary
            ? $"binary data (NUL characters) in a line longer than {limit} characters; the rest of the list is not read"
            : $"the line is longer than {limit} characters"));
        return !binary;
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

        // A skipped line is shown and stored without the password its URL, or a URL in another field, may carry.
        var shown = Redacted(trimmed);
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
                    batch.Skipped.Add(new SkippedInput(shown, source, "sha256 must be 64 hexadecimal digits"));
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
                batch.Skipped.Add(new SkippedInput(shown, source, $"unexpected field '{Redacted(field)}'"));
                return;
            }
        }

        if (UrlRules.Check(fields[0]) is { } rule)
        {
            batch.Skipped.Add(new SkippedInput(Redacted(fields[0]), source, rule));
            return;
        }

        if (outputPath is not null && OutputPathMapper.CheckRelative(outputPath) is { } badPath)
        {
            batch.Skipped.Add(new SkippedInput(shown, source, badPath.Replace(outputPath, Redacted(outputPath), StringComparison.Ordinal)));
            return;
        }

        // Credentials in the URL are kept apart from it, so that the URL can be stored and shown.
        var url = new Uri(fields[0], UriKind.Absolute);
        batch.Requests.Add(new DownloadRequest(UrlRules.WithoutCredentials(url), outputPath, sha256, source) { Credential = UrlRules.Credentials(url) });
    }

    /// <summary>
    /// Text of a skipped line as it is shown and stored: every field (and every word of a field, a comment's too)
    /// without the <c>user:password@</c> a URL in it may carry. Tabs and spaces are kept as they were.
    /// </summary>
    private static string Redacted(string text) =>
        string.Join('\t', text.Split('\t').Select(field => string.Join(' ', field.Split(' ').Select(RedactedWord))));

    /// <summary>
    /// A word without the <c>user:password@</c> it may carry: redacted as a URL, and when that finds none, from its first
    /// letter on, so that a URL in quotes or angle brackets (<c>"http://…"</c>, <c>&lt;http://…&gt;</c>) is redacted too.
    /// </summary>
    private static string RedactedWord(string word)
    {
        var redacted = UrlRules.Redact(word);
        var letter = 0;
        while (letter < word.Length && !char.IsAsciiLetter(word[letter]))
        {
            letter++;
        }

        return redacted != word || letter == 0 || letter == word.Length ? redacted : word[..letter] + UrlRules.Redact(word[letter..]);
    }
}
