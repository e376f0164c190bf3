using Haul.Fetching;
using Haul.Journal;
using Haul.Writing;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Haul.Engine;

/// <summary>
/// Takes one item to a terminal state. The whole item (request, body, verification, placement) is one Polly
/// operation, so a failure while reading the body is retried like any other; retries back off exponentially with
/// decorrelated jitter, honour Retry-After, and are bounded by attempts and by the item's time budget.
/// </summary>
internal sealed class ItemDownloader
{
    private static readonly ResiliencePropertyKey<FetchTarget> TargetKey = new("haul.target");

    private readonly HaulOptions _options;
    private readonly ItemFetcher _fetcher;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;
    private readonly Action<string, TimeSpan> _pauseHost;
    private readonly SafeFileSystem _fileSystem;
    private readonly FilePlacer _placer;
    private readonly ResiliencePipeline<AttemptOutcome> _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ItemDownloader(
        HaulOptions options, ItemFetcher fetcher, IJobJournal journal, JobProgress progress, Action<string, TimeSpan> pauseHost, SafeFileSystem fileSystem)
    {
        _options = options;
        _fetcher = fetcher;
        _journal = journal;
        _progress = progress;
        _pauseHost = pauseHost;
        _fileSystem = fileSystem;
        _placer = new FilePlacer(fileSystem, options.ExistingFiles);
        _time = options.TimeProvider;
        _logger = options.LoggerFactory.CreateLogger("Haul.Engine");
        var retry = new RetryStrategyOptions<AttemptOutcome>
        {
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { ShouldRetry: true }),
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,

            // A server's Retry-After wins over our own backoff; it was already checked against the item's budget.
            DelayGenerator = static args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
            OnRetry = args =>
            {
                var outcome = args.Outcome.Result!;
                var url = args.Context.Properties.GetValue(TargetKey, null!).Url;
                var reason = FailureReasons.ToName(outcome.Reason);
                _progress.Retry(outcome.Reason);
                Log.Retrying(_logger, url, reason, (long)args.RetryDelay.TotalMilliseconds, outcome.RetryAfter is null ? string.Empty : " (Retry-After)");
                if (outcome.Reason is FailureReason.TooManyRequests or FailureReason.ServiceUnavailable)
                {
                    _pauseHost(url.Host, args.RetryDelay);
                    Log.HostPaused(_logger, url.Host, (long)args.RetryDelay.TotalMilliseconds, reason);
                }

                return default;
            },
        };
        if (options.Randomizer is { } randomizer)
        {
            retry.Randomizer = randomizer;
        }

        // Polly's retry needs at least one retry; a single attempt is simply no retry strategy.
        _pipeline = options.MaxAttempts == 1
            ? ResiliencePipeline<AttemptOutcome>.Empty
            : new ResiliencePipelineBuilder<AttemptOutcome> { TimeProvider = options.TimeProvider }.AddRetry(retry).Build();
    }

    /// <summary>Downloads the item and records its terminal state. Returns the outcome that decided it.</summary>
    public async Task<AttemptOutcome> DownloadAsync(JournalItem item, FetchTarget target, CancellationToken cancellationToken)
    {
        _journal.Record(new ItemStarted(item.Id));
        if (await CheckExistingAsync(target, cancellationToken).ConfigureAwait(false) is { } settled)
        {
            Finish(target, settled);
            return settled;
        }

        using var deadline = new CancellationTokenSource(_options.ItemTimeout, _time);
        using var itemToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = _time.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(itemToken.Token);
        context.Properties.Set(TargetKey, target);
        AttemptOutcome outcome;
        try
        {
            var state = (Downloader: this, Target: target, Started: started, Caller: cancellationToken);
            outcome = await _pipeline.ExecuteAsync(
                static async (ctx, s) => await s.Downloader.AttemptAsync(s.Target, s.Started, ctx.CancellationToken, s.Caller).ConfigureAwait(false),
                context,
                state).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The budget ran out while waiting between attempts.
            outcome = new AttemptOutcome { Reason = FailureReason.ItemTimeout };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        Finish(target, outcome);
        return outcome;
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(FetchTarget target, long started, CancellationToken itemToken, CancellationToken callerToken)
    {
        var startedAt = _time.GetUtcNow();
        var attemptStart = _time.GetTimestamp();
        AttemptOutcome outcome;
        try
        {
            outcome = await _fetcher.FetchAsync(target, itemToken).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                outcome = await PlaceAsync(target, outcome, itemToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            // The item's budget ran out in the middle of this attempt: recorded like any other end of an attempt.
            outcome = new AttemptOutcome { Reason = FailureReason.ItemTimeout, BytesReceived = 0, GiveUp = true };
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not JournalWriteException)
        {
            // The fetcher classifies what it expects; anything else still ends as a recorded failure, not a crash.
            outcome = new AttemptOutcome { Reason = FailureReason.Unknown, Detail = exception.GetType().Name + ": " + exception.Message, GiveUp = true };
            Log.UnexpectedError(_logger, target.Url, exception);
        }

        if (outcome.RetryAfter is { } wait && !outcome.Succeeded)
        {
            var remaining = _options.ItemTimeout - _time.GetElapsedTime(started);
            if (wait >= remaining)
            {
                // Sleeping past the budget could only end in a timeout: fail now, with the server's reason.
                outcome = outcome with { GiveUp = true };
            }
        }

        var elapsed = _time.GetElapsedTime(attemptStart);
        _journal.Record(new AttemptFinished(target.ItemId, new AttemptRecord(
            startedAt, elapsed, outcome.Reason, outcome.Status, outcome.RangeStart, outcome.BytesReceived, outcome.Detail)));
        Log.AttemptEnded(_logger, target.Url, outcome.Succeeded ? "succeeded" : FailureReasons.ToName(outcome.Reason) + (outcome.Status is { } s ? $" (HTTP {s})" : string.Empty),
            outcome.Detail is null ? string.Empty : ": " + outcome.Detail, (long)elapsed.TotalMilliseconds, outcome.BytesReceived);
        return outcome;
    }

    /// <summary>
    /// Records what the verified file is before it is renamed to its final path, then renames it. After a crash
    /// between the two, the next run finds a file that matches the record and adopts it.
    /// </summary>
    private async Task<AttemptOutcome> PlaceAsync(FetchTarget target, AttemptOutcome outcome, CancellationToken itemToken)
    {
        await _journal.CommitAsync(new ItemStaged(target.ItemId, outcome.FileSize, outcome.Sha256!), itemToken).ConfigureAwait(false);
        try
        {
            var placement = await _placer.PlaceAsync(target.PartPath, target.FinalPath, outcome.Sha256!, itemToken).ConfigureAwait(false);
            if (placement.BackupPath is { } backup)
            {
                Log.BackupKept(_logger, target.Url, target.FinalPath, backup);
            }

            return outcome with { FileModified = placement.FileModified, BackupPath = placement.BackupPath };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
            DeletePart(target);
            return outcome with { Reason = reason, Detail = detail, GiveUp = true, Sha256 = null };
        }
    }

    /// <summary>
    /// Settles an item by what is already at its final path, before any request: a file matching the record staged
    /// by an earlier run (a crash between the rename and the journal's commit) is adopted; with
    /// <see cref="ExistingFilePolicy.Skip"/> any regular file is trusted (a given SHA-256 is still checked); a link or
    /// a file on the way fails the item. Anything else is fetched, and <see cref="FilePlacer"/> decides at the end.
    /// </summary>
    private async Task<AttemptOutcome?> CheckExistingAsync(FetchTarget target, CancellationToken cancellationToken)
    {
        try
        {
            _fileSystem.CheckParentFolders(target.FinalPath);
            var kind = SafeFileSystem.Inspect(target.FinalPath);
            if (kind is EntryKind.SymbolicLink or EntryKind.Directory)
            {
                var what = kind == EntryKind.SymbolicLink ? "a symbolic link; Haul does not write through links" : "a folder where the file belongs";
                return new AttemptOutcome { Reason = FailureReason.UnsafePath, Detail = $"'{_fileSystem.Relative(target.FinalPath)}' is {what}" };
            }

            if (kind != EntryKind.File)
            {
                return null;
            }

            var staged = target.StagedSha256 is not null && new FileInfo(target.FinalPath).Length == target.StagedBytes;
            if (!staged && _options.ExistingFiles != ExistingFilePolicy.Skip)
            {
                return null;
            }

            var sha256 = await FilePlacer.HashAsync(target.FinalPath, cancellationToken).ConfigureAwait(false);
            if (target.ExpectedSha256 is not null && !string.Equals(sha256, target.ExpectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var matchesStaged = string.Equals(sha256, target.StagedSha256, StringComparison.OrdinalIgnoreCase);
            if (!matchesStaged && _options.ExistingFiles != ExistingFilePolicy.Skip)
            {
                return null;
            }

            Log.ExistingKept(_logger, target.Url, target.FinalPath, matchesStaged ? "it matches what an earlier run verified" : "--skip-existing");
            return new AttemptOutcome
            {
                Reason = FailureReason.None,
                FileSize = new FileInfo(target.FinalPath).Length,
                Sha256 = sha256,
                FileModified = FilePlacer.ModifiedTicks(target.FinalPath),
            };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
            return new AttemptOutcome { Reason = reason, Detail = detail };
        }
    }

    private void Finish(FetchTarget target, AttemptOutcome outcome)
    {
        if (outcome.Reason == FailureReason.DiskFull)
        {
            // Not the item's fault: it stays pending, and the job stops.
            return;
        }

        if (outcome.Succeeded)
        {
            _journal.Record(new ItemDone(target.ItemId, outcome.FileSize, outcome.Sha256!, outcome.FileModified, outcome.BackupPath));
            _progress.ItemDone();
            Log.ItemDone(_logger, target.Url, outcome.FileSize, target.FinalPath);
            return;
        }

        _journal.Record(new ItemFailed(target.ItemId, outcome.Reason, outcome.Status, outcome.Detail));
        _progress.ItemFailed();
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            Log.ItemFailed(_logger, target.Url, FailureReasons.ToName(outcome.Reason), outcome.Detail is null ? string.Empty : ": " + outcome.Detail);
        }

        if (!CanResume(target, outcome.Reason))
        {
            DeletePart(target);
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

    private static void DeletePart(FetchTarget target)
    {
        try
        {
            File.Delete(target.PartPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A part file that cannot be deleted is truncated by the next attempt at it.
        }
    }
}
