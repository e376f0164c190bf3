using Haul.Fetching;
using Haul.Journal;
using Haul.Scheduling;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// Runs one attempt of a work item and decides what becomes of it: done, failed for good, back in its host's queue
/// with a not-before time (exponential backoff with decorrelated jitter, or the server's Retry-After), or on to another
/// host's queue after a redirect. No attempt waits: the worker and the host's slot are free as soon as it ends. Attempts
/// and the item's time budget are counted across attempts; a 429 or 503 pauses the host it came from, and a Retry-After
/// longer than the item's budget fails the item but still pauses its host for the whole wait.
/// </summary>
internal sealed class AttemptRunner
{
    private readonly HaulOptions _options;
    private readonly ItemFetcher _fetcher;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;
    private readonly Frontier _frontier;
    private readonly FilePlacer _placer;
    private readonly Backoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExistingFileCheck _existing;
    private readonly CrawlRules? _crawlRules;
    private readonly PageReader? _pages;
    private readonly HostTurns? _turns;

    public AttemptRunner(
        HaulOptions options, ItemFetcher fetcher, IJobJournal journal, JobProgress progress, Frontier frontier, SafeFileSystem fileSystem,
        CrawlSession? crawl = null, HostTurns? turns = null)
    {
        _turns = turns;
        _options = options;
        _fetcher = fetcher;
        _journal = journal;
        _progress = progress;
        _frontier = frontier;
        _placer = new FilePlacer(fileSystem, options.ExistingFiles);
        _backoff = new Backoff(options.RetryBaseDelay, options.RetryMaxDelay, options.Randomizer);
        _time = options.TimeProvider;
        _crawlRules = crawl is null ? null : new CrawlRules(crawl, options.MaxFileSize);
        _pages = crawl is null ? null : new PageReader(
            crawl,
            journal,
            frontier,
            progress,
            options,
            crawl.Options.KeepDataUris && !crawl.Options.ListOnly
                ? new InlineImageSaver(fileSystem, _placer, Path.Combine(fileSystem.Root, SqliteJobJournal.StateFolderName, "parts"), crawl.Options.MaxBytes ?? crawl.Options.MaxPageBytes)
                : null,
            crawl.Options.SavePages ? _placer : null);
        _logger = options.LoggerFactory.CreateLogger("Haul.Engine");
        _existing = new ExistingFileCheck(fileSystem, options.ExistingFiles, _logger);
    }

    /// <summary>One attempt of <paramref name="work"/>; returns the decision for the frontier and the outcome.</summary>
    public async Task<(WorkDecision Decision, AttemptOutcome? Outcome)> RunAsync(WorkItem work, CancellationToken cancellationToken)
    {
        var target = work.Target;
        if (work.FirstStarted is null)
        {
            work.FirstStarted = _time.GetTimestamp();
            _journal.Record(new ItemStarted(target.ItemId, work.Item.LeaseToken));
            if (target.Unusable is { } unusable)
            {
                var refused = new AttemptOutcome { Reason = FailureReason.UnsafePath, Detail = unusable };
                Finish(work, refused);
                return (WorkDecision.Finished, refused);
            }

            if (target.Kind == ItemKind.File && await _existing.CheckAsync(target, cancellationToken).ConfigureAwait(false) is { } settled)
            {
                Finish(work, settled);
                return (WorkDecision.Finished, settled);
            }
        }

        if (work.ClosedBy is { } closed)
        {
            // Its host asked not to be asked again for longer than an item may take; a rerun after that time goes on.
            var when = DateTimeOffset.FromUnixTimeMilliseconds(closed.Until).ToString("u", System.Globalization.CultureInfo.InvariantCulture);
            var refused = new AttemptOutcome
            {
                Reason = closed.Reason == FailureReasons.ToName(FailureReason.ServiceUnavailable) ? FailureReason.ServiceUnavailable : FailureReason.TooManyRequests,
                Detail = $"{work.Host} asked not to be asked again before {when}, later than an item may take (--max-time)",
            };
            Finish(work, refused);
            return (WorkDecision.Finished, refused);
        }

        var remaining = _options.ItemTimeout - _time.GetElapsedTime(work.FirstStarted.Value);
        if (remaining <= TimeSpan.Zero)
        {
            var timedOut = new AttemptOutcome { Reason = FailureReason.ItemTimeout };
            Finish(work, timedOut);
            return (WorkDecision.Finished, timedOut);
        }

        if (_crawlRules is not null && await _crawlRules.BeforeRequestAsync(work, cancellationToken).ConfigureAwait(false) is { } rule)
        {
            // No request is made: the host's next request need not wait for this one's gap.
            _frontier.RefundGap(work.Host);
            var excluded = new AttemptOutcome { SkippedBy = rule };
            Finish(work, excluded);
            return (WorkDecision.Finished, excluded);
        }

        if (_turns is not null)
        {
            switch (await _turns.TakeAsync(work, cancellationToken).ConfigureAwait(false))
            {
                case null:
                    Log.LeaseLost(_logger, target.Url);
                    return (WorkDecision.Abandoned, null);
                case { } wait when wait > HostTurns.LongestWait:
                    // The host's shared turn is far off (other workers booked it, or one of them met a pause): the item
                    // waits in its queue, and the worker serves other hosts meanwhile.
                    work.NotBefore = _time.GetUtcNow().Add(wait).ToUnixTimeMilliseconds();
                    _frontier.Defer(work.Host, work.NotBefore, "shared turn");
                    return (WorkDecision.Retry, null);
                case { } wait when wait > TimeSpan.Zero:
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                    if (await _turns.PausedAsync(work.Host, cancellationToken).ConfigureAwait(false) is { } paused)
                    {
                        // A worker met push-back while this one waited for its turn: the turn is given up, not sent into it.
                        work.NotBefore = _time.GetUtcNow().Add(paused).ToUnixTimeMilliseconds();
                        _frontier.Defer(work.Host, work.NotBefore, "paused by another worker");
                        return (WorkDecision.Retry, null);
                    }

                    break;
            }
        }

        var outcome = await AttemptAsync(work, remaining, cancellationToken).ConfigureAwait(false);
        if (outcome.LeaseLost)
        {
            Log.LeaseLost(_logger, target.Url);
            return (WorkDecision.Abandoned, outcome);
        }
        if (outcome.RedirectTo is not null && target.Kind == ItemKind.Page && _pages is not null)
        {
            // A page that redirects is done: its target joins the crawl as a page of its own, through the scope.
            var redirected = await _pages.RedirectedAsync(work, outcome, cancellationToken).ConfigureAwait(false);
            Finish(work, redirected);
            return (WorkDecision.Finished, redirected);
        }

        if (outcome.RedirectTo is { } next)
        {
            work.Host = Input.UrlNormalizer.HostKey(next);
            return (WorkDecision.Moved, outcome);
        }

        if (!outcome.Uncounted)
        {
            work.Attempts++;
        }

        var host = work.Host;
        // A Retry-After of zero (or a date already past) is no reason to retry at once: the backoff holds.
        var delay = outcome.RetryAfter > TimeSpan.Zero ? outcome.RetryAfter.Value : _backoff.Next(work.LastDelay);
        if (_frontier.Observe(work, host, Signal(outcome), outcome.RetryAfter, FailureReasons.ToName(outcome.Reason), outcome.Hedges) is { } pause)
        {
            // The host pushed back: no new attempt of it starts before the wait it asked for, or the controller's.
            if (_turns is null)
            {
                _journal.Record(new HostPaused(host, pause.Until, pause.Reason));
            }
            else
            {
                // Every worker of a shared job must see the pause before its next turn, not after the next batch. After a
                // pause the host asked for, its first turn is a probe: a limit refuses none, so one refused shows noise.
                await _journal.CommitAsync(
                    new HostPaused(host, pause.Until, pause.Reason)
                    {
                        Probes = outcome.RetryAfter > TimeSpan.Zero ? Scheduling.HostController.SharedProbes : 0,
                        NoiseShown = _frontier.NoiseShown(host),
                    },
                    cancellationToken).ConfigureAwait(false);
            }

            var pausedFor = pause.Until - _time.GetUtcNow().ToUnixTimeMilliseconds();
            Log.HostPaused(_logger, host, pausedFor, pause.Reason);
        }

        if (outcome.Succeeded || !outcome.ShouldRetry || work.Attempts >= _options.MaxAttempts)
        {
            Finish(work, outcome);
            return (WorkDecision.Finished, outcome);
        }

        if (delay >= _options.ItemTimeout - _time.GetElapsedTime(work.FirstStarted.Value))
        {
            // Waiting past the budget could only end in a timeout: fail now, with the server's reason.
            Finish(work, outcome);
            return (WorkDecision.Finished, outcome);
        }

        work.LastDelay = delay;
        work.NotBefore = _time.GetUtcNow().Add(delay).ToUnixTimeMilliseconds();
        work.Host = work.Item.Host;
        target.RestartChain();
        _journal.Record(new ItemDeferred(target.ItemId, work.NotBefore, work.Item.LeaseToken));
        _progress.Retry(outcome.Reason);
        var reasonName = FailureReasons.ToName(outcome.Reason);
        var why = outcome.RetryAfter > TimeSpan.Zero ? " (Retry-After)" : string.Empty;
        Log.Retrying(_logger, target.Url, reasonName, (long)delay.TotalMilliseconds, why);
        return (WorkDecision.Retry, outcome);
    }

    /// <summary>
    /// What an attempt says about its host. A connection reset before any response is the signature of a ban, one that
    /// timed out of an overloaded host; a refused connection is a closed port, not a host pushing back, and says nothing.
    /// </summary>
    private static HostSignal Signal(AttemptOutcome outcome) => outcome switch
    {
        { Reason: FailureReason.TooManyRequests } => HostSignal.Throttled,
        { Reason: FailureReason.ServiceUnavailable } => HostSignal.Unavailable,
        { Status: null, Reason: FailureReason.ConnectionReset or FailureReason.StaleConnection } => HostSignal.Refused,
        { Status: null, Reason: FailureReason.ConnectTimeout } => HostSignal.Unreachable,
        { Reason: FailureReason.BodyStall or FailureReason.LowSpeed } => HostSignal.Stalled,
        { SlowResponse: true } => HostSignal.Slow,
        { Status: not null } => HostSignal.Healthy,
        _ => HostSignal.None,
    };

    private async Task<AttemptOutcome> AttemptAsync(WorkItem work, TimeSpan remaining, CancellationToken cancellationToken)
    {
        var target = work.Target;
        var startedAt = _time.GetUtcNow();
        var attemptStart = _time.GetTimestamp();
        using var deadline = new CancellationTokenSource(remaining, _time);
        using var attemptToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        AttemptOutcome outcome;
        try
        {
            outcome = await _fetcher.FetchAsync(target, attemptToken.Token).ConfigureAwait(false);
            if (_crawlRules is not null && target.Kind == ItemKind.File && _crawlRules.SizeFilter(outcome) is { } rule)
            {
                // Finish deletes the part file of a skipped item.
                outcome = outcome with { Reason = FailureReason.None, SkippedBy = rule, Sha256 = null };
            }
            else if (outcome.Succeeded)
            {
                outcome = target.Kind == ItemKind.Page
                    ? await _pages!.ReadAsync(work, outcome, attemptToken.Token).ConfigureAwait(false)
                    : await PlaceAsync(work, outcome, attemptToken.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The item's budget ran out in the middle of this attempt: recorded like any other end of an attempt.
            outcome = new AttemptOutcome { Reason = FailureReason.ItemTimeout };
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not JournalWriteException)
        {
            // The fetcher classifies what it expects; anything else still ends as a recorded failure, not a crash.
            outcome = new AttemptOutcome { Reason = FailureReason.Unknown, Detail = exception.GetType().Name + ": " + exception.Message, GiveUp = true };
            Log.UnexpectedError(_logger, target.Url, exception);
        }

        if (outcome.RedirectTo is not null || outcome.LeaseLost)
        {
            return outcome;
        }

        var elapsed = _time.GetElapsedTime(attemptStart);
        _journal.Record(new AttemptFinished(target.ItemId, new AttemptRecord(
            startedAt, elapsed, outcome.Reason, outcome.Status, outcome.RangeStart, outcome.BytesReceived, outcome.Detail), work.Item.LeaseToken));
        Log.AttemptEnded(_logger, target.CurrentUrl, outcome.Succeeded ? "succeeded" : FailureReasons.ToName(outcome.Reason) + (outcome.Status is { } s ? $" (HTTP {s})" : string.Empty),
            outcome.Detail is null ? string.Empty : ": " + outcome.Detail, (long)elapsed.TotalMilliseconds, outcome.BytesReceived);
        return outcome;
    }

    /// <summary>
    /// Records what the verified file is before it is renamed to its final path, then renames it. After a crash
    /// between the two, the next run finds a file that matches the record and adopts it.
    /// </summary>
    private async Task<AttemptOutcome> PlaceAsync(WorkItem work, AttemptOutcome outcome, CancellationToken cancellationToken)
    {
        var target = work.Target;
        var staged = new ItemStaged(target.ItemId, outcome.FileSize, outcome.Sha256!, work.Item.LeaseToken);
        if (_turns is null)
        {
            await _journal.CommitAsync(staged, cancellationToken).ConfigureAwait(false);
        }
        else if (!await _journal.FinishAsync(staged, cancellationToken).ConfigureAwait(false))
        {
            // Staged only under this worker's claim: another worker took the item over while this one was away (stopped
            // past its lease), and its file is theirs to place.
            return outcome with { LeaseLost = true, Sha256 = null };
        }

        try
        {
            var placement = await _placer.PlaceAsync(target.PartPath, target.FinalPath, outcome.Sha256!, cancellationToken).ConfigureAwait(false);
            if (placement.BackupPath is { } backup)
            {
                Log.BackupKept(_logger, target.Url, target.FinalPath, backup);
            }

            return outcome with { FileModified = placement.FileModified, BackupPath = placement.BackupPath };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
            target.DeletePart();
            return outcome with { Reason = reason, Detail = detail, GiveUp = true, Sha256 = null };
        }
    }


    private void Finish(WorkItem work, AttemptOutcome outcome)
    {
        var target = work.Target;
        if (outcome.Reason == FailureReason.DiskFull)
        {
            // Not the item's fault: it stays pending, and the job stops.
            return;
        }

        if (outcome.SkippedBy is { } rule)
        {
            _journal.Record(new ItemSkipped(target.ItemId, rule, work.Item.LeaseToken));
            _progress.ItemSkipped();
            Log.ItemSkipped(_logger, target.Url, rule);
            target.DeletePart();
            return;
        }

        if (outcome.Succeeded)
        {
            if (!outcome.Recorded)
            {
                _journal.Record(new ItemDone(
                    target.ItemId, outcome.FileSize, outcome.Sha256!, outcome.FileModified, outcome.BackupPath, work.Item.LeaseToken, outcome.ContentType));
            }

            _progress.ItemDone(target.Kind);
            if (target.Kind == ItemKind.File)
            {
                // A page said what it found when it was read; it has no file.
                Log.ItemDone(_logger, target.Url, outcome.FileSize, target.FinalPath);
            }

            return;
        }

        _journal.Record(new ItemFailed(target.ItemId, outcome.Reason, outcome.Status, outcome.Detail, work.Item.LeaseToken));
        _progress.ItemFailed();
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            Log.ItemFailed(_logger, target.Url, FailureReasons.ToName(outcome.Reason), outcome.Detail is null ? string.Empty : ": " + outcome.Detail);
        }

        if (!CanResume(target, outcome.Reason))
        {
            target.DeletePart();
        }
    }

    /// <summary>A partial body is worth keeping for a later run only when a validator and a known size guard its resume.</summary>
    private static bool CanResume(FetchTarget target, FailureReason reason)
    {
        if (!FailureReasons.IsTransient(reason) && reason != FailureReason.ItemTimeout)
        {
            return false;
        }

        var part = new FileInfo(target.PartPath);
        return target.HasValidator && target.TotalSize is { } total && part.Exists && part.Length > 0 && part.Length < total;
    }
}
