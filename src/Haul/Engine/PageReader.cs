using System.Collections.Concurrent;
using Haul.Crawling;
using Haul.Discovery;
using Haul.Fetching;
using Haul.Input;
using Haul.Journal;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Reads a crawled page once its body is verified in its part file: extracts its images and links (with a deadline),
/// keeps what the crawl's scope, traps and filters allow, and records them with the page's own end in one transaction,
/// so that a page is either unread or done with everything it named.
/// </summary>
internal sealed class PageReader
{
    /// <summary>
    /// The titles of the interstitial pages that bot checks answer with 200 OK in place of the page asked for (Cloudflare,
    /// Akamai, DataDome, Sucuri and the like), matched from the start of the title: a gallery titled "Captcha art" is
    /// not one.
    /// </summary>
    private static readonly string[] ChallengeTitles =
        ["just a moment", "attention required", "please verify you are human", "verify you are human", "are you a robot", "access denied", "security check", "ddos-guard", "checking your browser"];

    /// <summary>
    /// Parse errors from which a page is reported as malformed: real pages often have one or two (an attribute glued to
    /// the next, a stray end tag) that every browser shrugs off.
    /// </summary>
    private const int MalformedErrors = 5;

    /// <summary>The SHA-256 of no bytes: what a redirect's page is done with.</summary>
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly CrawlSession _session;
    private readonly IJobJournal _journal;
    private readonly Frontier _frontier;
    private readonly JobProgress _progress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte>? _listed;

    private readonly InlineImageSaver? _inline;
    private readonly FilePlacer? _savePages;
    private readonly string _root;

    /// <summary>
    /// A reader of the crawl's pages; <paramref name="inline"/> saves <c>data:</c> images (null: they are skipped) and
    /// <paramref name="savePages"/> places pages as files (null: they are not kept).
    /// </summary>
    public PageReader(
        CrawlSession session, IJobJournal journal, Frontier frontier, JobProgress progress, HaulOptions options, InlineImageSaver? inline,
        FilePlacer? savePages)
    {
        _inline = inline;
        _savePages = savePages;
        _root = options.OutputDirectory;
        _session = session;
        _journal = journal;
        _frontier = frontier;
        _progress = progress;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("Haul.Crawling");
        _listed = session.Options.ListOnly ? new ConcurrentDictionary<string, byte>(StringComparer.Ordinal) : null;
    }

    /// <summary>
    /// Reads the page of <paramref name="work"/>, whose body <paramref name="fetched"/> verified; returns the outcome with
    /// <see cref="AttemptOutcome.Recorded"/> set when the page's end is already in the journal, or a failure.
    /// </summary>
    public async Task<AttemptOutcome> ReadAsync(WorkItem work, AttemptOutcome fetched, CancellationToken cancellationToken)
    {
        var target = work.Target;
        var item = work.Item;
        var pageUrl = target.CurrentUrl;
        PageExtraction extraction;
        string? note = null;
        if (fetched.FileSize == 0)
        {
            extraction = PageExtraction.Empty;
            note = "empty page";
        }
        else if (!IsHtml(fetched.ContentType))
        {
            if (item.Depth == 0)
            {
                // The user named it as a page: say what it is rather than end with nothing.
                target.DeletePart();
                return fetched with
                {
                    Reason = FailureReason.NotAPage,
                    GiveUp = true,
                    Detail = $"{fetched.ContentType} is not a page to crawl; haul get downloads files",
                    Sha256 = null,
                };
            }

            extraction = PageExtraction.Empty;
            note = $"not a page ({fetched.ContentType}), not read";
        }
        else
        {
            using var deadline = new CancellationTokenSource(_session.Options.ParseTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                using var body = NoFollowFile.Open(target.PartPath, NoFollowFile.Mode.Read);
                extraction = await PageExtractor.ExtractAsync(body, pageUrl, fetched.ContentType, _session.Extraction, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                target.DeletePart();
                return fetched with
                {
                    Reason = FailureReason.ParseTimeout,
                    GiveUp = true,
                    Detail = $"not read within {_session.Options.ParseTimeout.TotalSeconds:0.#} s",
                    Sha256 = null,
                };
            }

            if (LooksLikeChallenge(extraction.Title))
            {
                // A bot check answered in place of the page: tried again later, like a soft block of a file.
                target.DeletePart();
                return fetched with { Reason = FailureReason.SoftBlock, Detail = $"a bot check page (\"{extraction.Title}\")", Sha256 = null };
            }

            if (extraction.ParseErrors >= MalformedErrors)
            {
                note = $"malformed HTML ({extraction.ParseErrors} parse errors), read as a browser would";
            }
        }

        long? savedModified = null;
        if (_savePages is not null && fetched.FileSize > 0 && !_session.Options.ListOnly)
        {
            // Placed before the page's done record, like a file: a crash between the two only reads the page again.
            var path = await _journal.ClaimOutputPathAsync(item.Id, OutputPathMapper.Map(pageUrl), cancellationToken).ConfigureAwait(false);
            try
            {
                var placement = await _savePages.PlaceAsync(target.PartPath, OutputPathMapper.Resolve(Path.GetFullPath(_root), path), fetched.Sha256!, cancellationToken).ConfigureAwait(false);
                savedModified = placement.FileModified;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Something in the way of the page's file: the page is still read, and the report says why it was not kept.
                note = (note is null ? string.Empty : note + "; ") + "not saved: " + FailureClassifier.ClassifyWrite(exception).Detail;
            }
        }

        var (findings, skipped) = await CollectAsync(item, pageUrl, extraction, cancellationToken).ConfigureAwait(false);
        if (_inline is not null)
        {
            foreach (var image in extraction.Images.Where(i => i.Url.Scheme == "data"))
            {
                if (await _inline.SaveAsync(image.Url, pageUrl, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    skipped.Add(new SkippedInput(Shorten(image.Url.OriginalString), pageUrl.AbsoluteUri, refused));
                }
            }
        }

        var finish = new ItemDone(item.Id, fetched.FileSize, fetched.Sha256!, savedModified, null, item.LeaseToken, fetched.ContentType, note);
        var result = await _journal.RecordFoundAsync(
            new PageFindings(findings) { PageId = item.Id, Skipped = skipped, Finish = finish }, cancellationToken).ConfigureAwait(false);
        target.DeletePart();
        _progress.PageRead(result.NewPages, result.NewFiles.Count);
        _frontier.InputAdded();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.PageRead(_logger, pageUrl, extraction.Images.Count, extraction.Links.Count, result.NewPages + result.NewFiles.Count, note is null ? string.Empty : " (" + note + ")");
        }

        return fetched with { Recorded = true };
    }

    /// <summary>
    /// Ends a page that answered with a redirect: the page is done (noted as redirected), and its target is a page of
    /// the crawl at the same depth if the scope admits it. A start page's target becomes a start page, so a site that
    /// moved (to https, to www.) is crawled where it now is. Written in one transaction, like a page read.
    /// </summary>
    public async Task<AttemptOutcome> RedirectedAsync(WorkItem work, AttemptOutcome redirect, CancellationToken cancellationToken)
    {
        var item = work.Item;
        var next = redirect.RedirectTo!;
        var found = new List<FoundItem>(1);
        var skipped = new List<SkippedInput>(1);
        var rule = item.Depth == 0 ? null : _session.Scope.CheckPage(next, item.Depth, item.Barren);
        if (rule is null)
        {
            if (item.Depth == 0)
            {
                _session.Scope.AddStartPage(next);
            }

            found.Add(new FoundItem(next, ItemKind.Page) { Depth = item.Depth, Barren = item.Barren, Referer = item.Referer, Source = item.Url });
        }
        else if (CrawlSession.IsReported(rule))
        {
            skipped.Add(new SkippedInput(next.AbsoluteUri, item.Url, rule));
        }

        var note = $"redirected to {next.AbsoluteUri}" + (rule is null ? string.Empty : $" ({rule})");
        var finish = new ItemDone(item.Id, 0, EmptySha256, null, null, item.LeaseToken, null, note);
        var result = await _journal.RecordFoundAsync(
            new PageFindings(found) { PageId = item.Id, Skipped = skipped, Finish = finish }, cancellationToken).ConfigureAwait(false);
        _progress.PageRead(result.NewPages, 0);
        _frontier.InputAdded();
        return redirect with { RedirectTo = null, Reason = FailureReason.None, FileSize = 0, Sha256 = EmptySha256, Recorded = true };
    }

    private async Task<(List<FoundItem> Found, List<SkippedInput> Skipped)> CollectAsync(
        JournalItem page, Uri pageUrl, PageExtraction extraction, CancellationToken cancellationToken)
    {
        var found = new List<FoundItem>(extraction.Images.Count + extraction.Links.Count);
        var skipped = new List<SkippedInput>();
        var source = pageUrl.AbsoluteUri;
        var depth = page.Depth + 1;
        var newlyListed = false;
        foreach (var image in extraction.Images)
        {
            if (image.Url.Scheme == "data")
            {
                // Saved by the inline saver: nothing to request.
                continue;
            }

            var rule = _session.Filter.CheckUrl(image.Url) ?? _session.Filter.CheckDimensions(image.Width, image.Height) ?? _session.Scope.CheckImage(image.Url);
            if (rule is not null)
            {
                skipped.Add(new SkippedInput(image.Url.AbsoluteUri, source, rule));
                continue;
            }

            if (_listed is not null)
            {
                // A listed image is never requested here, so robots.txt is asked now: a list names only what a crawl would fetch.
                if (await _session.CheckRobotsAsync(image.Url, UrlNormalizer.HostKey(image.Url), cancellationToken).ConfigureAwait(false) is { } disallowed)
                {
                    skipped.Add(new SkippedInput(image.Url.AbsoluteUri, source, disallowed));
                    continue;
                }

                if (_listed.TryAdd(UrlNormalizer.Normalize(image.Url), 0))
                {
                    newlyListed = true;
                    _progress.ImageFound(image.Url);
                }

                continue;
            }

            found.Add(new FoundItem(image.Url, ItemKind.File)
            {
                OutputPath = _session.Options.ByPage ? ByPagePath(pageUrl, image.Url) : null,
                Referer = RefererPolicy.For(pageUrl, image.Url, _session.Options.Referer),
                Depth = depth,
                Alt = image.Alt,
                Source = source,
            });
        }

        // A page's barren run: 0 when it named an image new to the crawl that the filters keep (or a photo page behind a
        // thumbnail, where its image is), else one more than the page it was found on. A logo or a site-wide og:image on
        // every page of an endless calendar does not keep the calendar going.
        var photoPages = extraction.Links.Where(l => l.Kind == LinkKind.PhotoPage).Select(l => l.Url);
        var productive = newlyListed || await _journal.CountNewAsync(
            found.Select(f => f.Url).Concat(photoPages).ToList(), cancellationToken).ConfigureAwait(false) > 0;
        var barren = CrawlScope.BarrenRunOf(page.Barren, productive);
        foreach (var link in extraction.Links)
        {
            if (_session.PagesExhausted)
            {
                // The crawl has all the pages it may read: nothing more to queue.
                break;
            }

            var rule = _session.Scope.CheckPage(link.Url, depth, barren);
            if (rule is not null)
            {
                if (CrawlSession.IsReported(rule))
                {
                    skipped.Add(new SkippedInput(link.Url.AbsoluteUri, source, rule));
                }

                continue;
            }

            found.Add(new FoundItem(link.Url, ItemKind.Page)
            {
                Referer = RefererPolicy.For(pageUrl, link.Url, _session.Options.Referer),
                Depth = depth,
                Barren = barren,
                Source = source,
            });
        }

        return (found, skipped);
    }

    /// <summary>
    /// <c>HOST/PAGE-PATH/NAME</c>: the page's mirrored path as a folder (without <c>index.html</c> or an <c>.html</c>
    /// extension) and the image's own file name; both are already made safe by <see cref="OutputPathMapper.Map"/>.
    /// </summary>
    internal static string ByPagePath(Uri page, Uri image)
    {
        var folder = OutputPathMapper.Map(page);
        if (folder.EndsWith("/index.html", StringComparison.Ordinal))
        {
            folder = folder[..^"/index.html".Length];
        }
        else if (Path.GetExtension(folder) is ".html" or ".htm")
        {
            folder = folder[..^Path.GetExtension(folder).Length];
        }

        var name = OutputPathMapper.Map(image);
        return folder + "/" + name[(name.LastIndexOf('/') + 1)..];
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static bool IsHtml(string? mediaType) =>
        mediaType is null || mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeChallenge(string? title) =>
        title is not null && ChallengeTitles.Any(t => title.TrimStart().StartsWith(t, StringComparison.OrdinalIgnoreCase));
}
