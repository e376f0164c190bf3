using System.Globalization;
using System.Text;
using System.Text.Json;
using Haul.Fetching;
using Haul.Writing;

namespace Haul.Reporting;

/// <summary>Writes <c>report.json</c> and <c>failed.txt</c> (a URL list that <c>haul get -i</c> takes back).</summary>
public static class ReportWriter
{
    /// <summary>The name of the machine-readable report in the output folder.</summary>
    public const string ReportFileName = "report.json";

    /// <summary>The name of the list of failed URLs in the output folder.</summary>
    public const string FailedFileName = "failed.txt";

    /// <summary>Writes both files into <paramref name="outputDirectory"/>, each atomically.</summary>
    public static async Task WriteAsync(JobReport report, string outputDirectory, CancellationToken cancellationToken)
    {
        await WriteAtomicallyAsync(Path.Combine(outputDirectory, ReportFileName), stream => WriteJson(report, stream), cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(Path.Combine(outputDirectory, FailedFileName), stream => WriteFailed(report, stream), cancellationToken).ConfigureAwait(false);
    }

    private static void WriteFailed(JobReport report, Stream stream)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
        writer.WriteLine("# Failed items; feed this file back with: haul get -i failed.txt");
        foreach (var failure in report.Failures)
        {
            var item = failure.Item;
            var detail = item.LastDetail is null ? string.Empty : ": " + OneLine(item.LastDetail);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# {FailureReasons.ToName(item.LastReason)}{detail}{(item.LastStatus is { } s ? $" (HTTP {s})" : string.Empty)}, {failure.Attempts.Count} attempt(s)"));
            writer.WriteLine(item.ExpectedSha256 is null ? item.Url : $"{item.Url}\t{item.OutputPath}\tsha256={item.ExpectedSha256}");
        }
    }

    private static void WriteJson(JobReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("total", report.Total);
        json.WriteNumber("done", report.Done);
        json.WriteNumber("failed", report.Failed);
        json.WriteNumber("skipped", report.Skipped);
        json.WriteNumber("pending", report.Pending);
        json.WriteNumber("bytesReceived", report.BytesReceived);
        json.WriteNumber("bytesDone", report.BytesDone);
        json.WriteNumber("elapsedSeconds", Math.Round(report.Elapsed.TotalSeconds, 3));
        WriteCounts(json, "retriesByReason", report.RetriesByReason);
        WriteCounts(json, "failuresByReason", report.FailuresByReason);
        json.WriteStartArray("failures");
        foreach (var failure in report.Failures)
        {
            var item = failure.Item;
            json.WriteStartObject();
            json.WriteString("url", item.Url);
            json.WriteString("reason", FailureReasons.ToName(item.LastReason));
            if (item.LastDetail is { } detail)
            {
                json.WriteString("detail", detail);
            }

            json.WriteBoolean("transient", FailureReasons.IsTransient(item.LastReason));
            if (item.LastStatus is { } status)
            {
                json.WriteNumber("status", status);
            }

            json.WriteString("outputPath", item.OutputPath);
            json.WriteStartArray("attempts");
            foreach (var attempt in failure.Attempts)
            {
                json.WriteStartObject();
                json.WriteString("startedAt", attempt.StartedAt);
                json.WriteNumber("elapsedMs", (long)attempt.Elapsed.TotalMilliseconds);
                json.WriteString("reason", FailureReasons.ToName(attempt.Reason));
                if (attempt.Detail is { } attemptDetail)
                {
                    json.WriteString("detail", attemptDetail);
                }

                if (attempt.Status is { } attemptStatus)
                {
                    json.WriteNumber("status", attemptStatus);
                }

                if (attempt.RangeStart is { } rangeStart)
                {
                    json.WriteNumber("rangeStart", rangeStart);
                }

                json.WriteNumber("bytes", attempt.BytesReceived);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("skippedEntries");
        foreach (var skipped in report.SkippedItems)
        {
            json.WriteStartObject();
            json.WriteString("entry", skipped.Text);
            json.WriteString("source", skipped.Source);
            json.WriteString("rule", skipped.Rule);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("backups");
        foreach (var item in report.Backups)
        {
            json.WriteStartObject();
            json.WriteString("url", item.Url);
            json.WriteString("outputPath", item.OutputPath);
            json.WriteString("backupPath", item.BackupPath);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, IReadOnlyDictionary<FailureReason, int> counts)
    {
        json.WriteStartObject(name);
        foreach (var (reason, count) in counts.OrderByDescending(p => p.Value))
        {
            json.WriteNumber(FailureReasons.ToName(reason), count);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Writes a temporary file and renames it over <paramref name="path"/>. A link planted at the temporary name is
    /// removed (never followed), and the rename replaces a link at the final name rather than writing through it.
    /// </summary>
    private static async Task WriteAtomicallyAsync(string path, Action<Stream> write, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var stream = NoFollowFile.Open(temporary, NoFollowFile.Mode.CreateNew);
        await using (stream.ConfigureAwait(false))
        {
            var buffered = new BufferedStream(stream, 64 * 1024);
            await using (buffered.ConfigureAwait(false))
            {
                write(buffered);
                await buffered.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
