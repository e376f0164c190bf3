using AngleSharp;
using AngleSharp.Browser;
using AngleSharp.Css.Dom;
using AngleSharp.Css.Parser;
using AngleSharp.Html.Parser;

namespace Haul.Discovery;

/// <summary>
/// Reads an HTML page and returns what the crawl needs from it: its full-size images, its links (pagination, photo
/// pages, others), how many image slots it had, how many parse errors it held, and its title. Pure: no network, no
/// journal. The page is decoded by <see cref="PageEncoding"/> and parsed by an HTML5 parser without scripting (so
/// <c>&lt;noscript&gt;</c> holds markup); parsing and the walk over the elements stop when the token is cancelled.
/// </summary>
internal static class PageExtractor
{
    // Without the meta handler: the encoding is decided before parsing (PageEncoding) and a <meta charset> must not
    // make the parser decode the page again.
    private static readonly IConfiguration ParserConfiguration = Configuration.Default.Without<IMetaHandler>();

    /// <summary>Whether <paramref name="selector"/> is a CSS selector the extractor can use as <see cref="ExtractionOptions.NextSelector"/>.</summary>
    public static bool IsValidSelector(string selector) => ParseSelector(selector) is not null;

    /// <summary>
    /// Extracts the images and links of the page in <paramref name="html"/>, fetched from <paramref name="pageUrl"/>
    /// and served with <paramref name="contentType"/> (its charset is used when it names one).
    /// </summary>
    /// <exception cref="ArgumentException">The options' <see cref="ExtractionOptions.NextSelector"/> is not a valid selector.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<PageExtraction> ExtractAsync(
        Stream html, Uri pageUrl, string? contentType, ExtractionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(pageUrl);
        ArgumentNullException.ThrowIfNull(options);
        ISelector? nextSelector = null;
        if (options.NextSelector is { } selectorText)
        {
            nextSelector = ParseSelector(selectorText)
                ?? throw new ArgumentException($"not a CSS selector: {selectorText}", nameof(options));
        }

        var parseErrors = 0;
        using var context = BrowsingContext.New(ParserConfiguration);
        var parserOptions = new HtmlParserOptions
        {
            IsScripting = false,
            SkipComments = true,
            SkipScriptText = true,
            DisableElementPositionTracking = true,
        };
        var parser = new HtmlParser(parserOptions, context);
        parser.Error += (_, _) => parseErrors++;

        await using var text = await OpenUtf8Async(html, contentType, cancellationToken).ConfigureAwait(false);
        using var document = await parser.ParseDocumentAsync(text, cancellationToken).ConfigureAwait(false);

        var collector = new ExtractionCollector();
        new PageWalker(UrlResolver.For(document, pageUrl), options, nextSelector, collector).Walk(document, cancellationToken);
        var title = document.Title?.Trim();
        return collector.Build(parseErrors, string.IsNullOrEmpty(title) ? null : title);
    }

    // The page as UTF-8 (the parser's own guess, which it then holds to): the bytes read to detect the encoding come
    // first, then the rest of the stream, transcoded when the page is in another encoding.
    private static async Task<Stream> OpenUtf8Async(Stream html, string? contentType, CancellationToken cancellationToken)
    {
        var prefix = new byte[PageEncoding.PrescanBytes];
        var length = 0;
        while (length < prefix.Length)
        {
            var read = await html.ReadAsync(prefix.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        var (encoding, bomLength) = PageEncoding.Detect(prefix.AsSpan(0, length), contentType);
        var stream = new IO.PrefixedStream(prefix.AsMemory(bomLength, length - bomLength), html, leaveOpen: true);
        return encoding.CodePage == System.Text.Encoding.UTF8.CodePage
            ? stream
            : System.Text.Encoding.CreateTranscodingStream(stream, encoding, System.Text.Encoding.UTF8, leaveOpen: false);
    }

    private static ISelector? ParseSelector(string selector)
    {
        try
        {
            return new CssSelectorParser().ParseSelector(selector);
        }
        catch (AngleSharp.Dom.DomException)
        {
            return null;
        }
    }
}
