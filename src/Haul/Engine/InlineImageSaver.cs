using System.Security.Cryptography;
using Haul.Crawling;
using Haul.Writing;

namespace Haul.Engine;

/// <summary>
/// Saves an image a page carries inline as a <c>data:</c> URI (kept only with <see cref="CrawlOptions.KeepDataUris"/>):
/// decoded, hashed, and placed like a download at <c>HOST/inline/SHA256-PREFIX.EXT</c> under the page's host folder,
/// so the same inline image on many pages is one file. It needs no request, so it is not an item of the journal;
/// reading its page again writes the same file again.
/// </summary>
internal sealed class InlineImageSaver(SafeFileSystem fileSystem, FilePlacer placer, string partsFolder, long maxBytes)
{
    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = "jpg",
        ["image/png"] = "png",
        ["image/gif"] = "gif",
        ["image/webp"] = "webp",
        ["image/avif"] = "avif",
        ["image/svg+xml"] = "svg",
        ["image/bmp"] = "bmp",
        ["image/x-icon"] = "ico",
    };

    /// <summary>Saves <paramref name="dataUri"/>; returns the rule that refused it, or null once it is saved.</summary>
    public async Task<string?> SaveAsync(Uri dataUri, Uri page, CancellationToken cancellationToken)
    {
        var text = dataUri.OriginalString;
        var comma = text.IndexOf(',', StringComparison.Ordinal);
        if (!text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || comma < 0)
        {
            return CrawlSkipRules.BadDataUri;
        }

        var header = text[5..comma].Split(';');
        if (!Extensions.TryGetValue(header[0].Trim(), out var extension))
        {
            return CrawlSkipRules.NotAnImage;
        }

        byte[] bytes;
        try
        {
            var payload = text[(comma + 1)..];
            bytes = header.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase))
                ? Convert.FromBase64String(Uri.UnescapeDataString(payload))
                : System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(payload));
        }
        catch (FormatException)
        {
            return CrawlSkipRules.BadDataUri;
        }

        if (bytes.Length == 0 || bytes.Length > maxBytes)
        {
            return bytes.Length == 0 ? CrawlSkipRules.BadDataUri : CrawlSkipRules.MaxBytes;
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var host = OutputPathMapper.Map(page).Split('/')[0];
        var finalPath = OutputPathMapper.Resolve(fileSystem.Root, $"{host}/inline/{sha256[..16]}.{extension}");
        var partPath = Path.Combine(partsFolder, $"inline-{Guid.NewGuid():N}.part");
        try
        {
            var part = NoFollowFile.Open(partPath, NoFollowFile.Mode.CreateNew);
            await using (part.ConfigureAwait(false))
            {
                await part.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                part.Flush(flushToDisk: true);
            }

            await placer.PlaceAsync(partPath, finalPath, sha256, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A link, a folder or a file of another item where the inline image belongs: that image is not saved, the
            // page is still read.
            File.Delete(partPath);
            return CrawlSkipRules.Unwritable;
        }
    }
}
