using System.Text;
using Haul.Discovery;

namespace Haul.Tests.Discovery;

/// <summary>Runs the page extractor over markup given as a string.</summary>
internal static class Extraction
{
    public static readonly Uri Page = new("http://example.com/gallery/page.html");

    public static Task<PageExtraction> RunAsync(string html, ExtractionOptions? options = null, Uri? page = null) =>
        RunAsync(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", options, page);

    public static async Task<PageExtraction> RunAsync(byte[] bytes, string? contentType, ExtractionOptions? options = null, Uri? page = null)
    {
        using var stream = new MemoryStream(bytes);
        return await PageExtractor.ExtractAsync(stream, page ?? Page, contentType, options ?? ExtractionOptions.Default, CancellationToken.None);
    }

    public static async Task<string[]> ImagesAsync(string html, ExtractionOptions? options = null)
    {
        var result = await RunAsync(html, options);
        return [.. result.Images.Select(i => i.Url.AbsoluteUri)];
    }

    public static async Task<(string Url, LinkKind Kind)[]> LinksAsync(string html, ExtractionOptions? options = null)
    {
        var result = await RunAsync(html, options);
        return [.. result.Links.Select(l => (l.Url.AbsoluteUri, l.Kind))];
    }

    public static string Abs(string path) => new Uri(Page, path).AbsoluteUri;
}
