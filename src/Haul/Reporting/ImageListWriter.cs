using System.Text.Json;
using Haul.Journal;

namespace Haul.Reporting;

/// <summary>
/// Writes a crawl's <c>images.jsonl</c>: one JSON object a line for every saved image, with its URL, saved path,
/// size, SHA-256, content type and the pages it was found on (each with the image's alt text there; the first 100, and
/// their count). Streamed from the
/// journal and replaced atomically, so it is complete or absent, never half written.
/// </summary>
public static class ImageListWriter
{
    /// <summary>The name of the list in the output folder.</summary>
    public const string FileName = "images.jsonl";

    /// <summary>Writes the list of <paramref name="journal"/>'s done images into <paramref name="outputDirectory"/>.</summary>
    public static Task WriteAsync(IJobJournal journal, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return ReportWriter.WriteAtomicallyAsync(
            Path.Combine(outputDirectory, FileName), stream => WriteLinesAsync(journal, stream, cancellationToken), cancellationToken);
    }

    private static async Task WriteLinesAsync(IJobJournal journal, Stream stream, CancellationToken cancellationToken)
    {
        // One writer for every line: reset after each, so each line is a JSON value of its own.
        var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        await using var disposal = json.ConfigureAwait(false);
        var count = 0;
        await foreach (var image in journal.ReadFoundImagesAsync(cancellationToken).ConfigureAwait(false))
        {
            json.WriteStartObject();
            json.WriteString("url", image.Url);
            json.WriteString("path", image.OutputPath);
            if (image.Folder is { } folder)
            {
                // A shared job's images are in its workers' folders: the path is relative to this one.
                json.WriteString("folder", folder);
            }

            json.WriteNumber("bytes", image.Bytes);
            json.WriteString("sha256", image.Sha256);
            json.WriteString("contentType", image.ContentType);
            json.WritePropertyName("pages");
            json.WriteRawValue(image.PagesJson, skipInputValidation: false);
            json.WriteNumber("pageCount", image.PageCount);
            json.WriteEndObject();
            json.Flush();
            json.Reset();

            stream.WriteByte((byte)'\n');
            if (++count % 256 == 0)
            {
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
