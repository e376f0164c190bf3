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
    private readonly PageFindingsBuilder _findings;

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
        _root = Path.GetFullPath(options.OutputDirectory);
        _session = session;
        _journal = journal;
        _frontier = frontier;
        _progress = progress;
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("Haul.Crawling");
        _findings = new PageFindingsBuilder(session, journal, progress);
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
            var path = await _journal.ClaimOutputPathAsync(item.Id, PagePaths.SavedPage(pageUrl), cancellationToken).ConfigureAwait(false);
            try
            {
                var placement = await _savePages.PlaceAsync(target.PartPath, OutputPathMapper.Resolve(_root, path), fetched.Sha256!, cancellationToken).ConfigureAwait(false);
                savedModified = placement.FileModified;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Something in the way of the page's file: the page is still read, and the report says why it was not kept.
                note = (note is null ? string.Empty : note + "; ") + "not saved: " + FailureClassifier.ClassifyWrite(exception).Detail;
            }
        }

        var (findings, skipped) = await _findings.CollectAsync(item, pageUrl, extraction, cancellationToken).ConfigureAwait(false);
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
        var (found, skipped, rule) = _findings.CollectRedirect(item, next);

        var note = $"redirected to {next.AbsoluteUri}" + (rule is null ? string.Empty : $" ({rule})");
        var finish = new ItemDone(item.Id, 0, EmptySha256, null, null, item.LeaseToken, null, note);
        var result = await _journal.RecordFoundAsync(
            new PageFindings(found) { PageId = item.Id, Skipped = skipped, Finish = finish }, cancellationToken).ConfigureAwait(false);
        _progress.PageRead(result.NewPages, 0);
        _frontier.InputAdded();
        return redirect with { RedirectTo = null, Reason = FailureReason.None, FileSize = 0, Sha256 = EmptySha256, Recorded = true };
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static bool IsHtml(string? mediaType) =>
        mediaType is null || mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeChallenge(string? title) =>
        title is not null && ChallengeTitles.Any(t => title.TrimStart().StartsWith(t, StringComparison.OrdinalIgnoreCase));
}
