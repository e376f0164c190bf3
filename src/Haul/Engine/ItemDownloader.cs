using System.Security.Cryptography;
using Haul.Fetching;
using Haul.Journal;
using Haul.Scheduling;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Haul.Engine;

/// <summary>
/// Takes one item to a terminal state. The whole item (request, body, verification) is one Polly operation, so a
/// failure while reading the body is retried like any other; retries back off exponentially with decorrelated jitter,
/// honour Retry-After, and are bounded by attempts and by the item's time budget.
/// </summary>
internal sealed class ItemDownloader
{
    private static readonly ResiliencePropertyKey<FetchTarget> TargetKey = new("haul.target");

    private readonly HaulOptions _options;
    private readonly ItemFetcher _fetcher;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;
    private readonly Action<string, TimeSpan> _pauseHost;
    private readonly ResiliencePipeline<AttemptOutcome> _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ItemDownloader(HaulOptions options, ItemFetcher fetcher, IJobJournal journal, JobProgress progress, Action<string, TimeSpan> pauseHost)
    {
        _options = options;
        _fetcher = fetcher;
        _journal = journal;
        _progress = progress;
        _pauseHost = pauseHost;
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
                _progress.Retry(outcome.Reason);
                if (outcome.Reason is FailureReason.TooManyRequests or FailureReason.ServiceUnavailable)
                {
                    _pauseHost(args.Context.Properties.GetValue(TargetKey, null!).Url.Host, args.RetryDelay);
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
        if (await TryAdoptAsync(target, cancellationToken).ConfigureAwait(false) is { } adopted)
        {
            Finish(item, adopted);
            return adopted;
        }

        using var deadline = new CancellationTokenSource(_options.ItemTimeout, _time);
        using var itemToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = _time.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(itemToken.Token);
        context.Properties.Set(TargetKey, target);
        AttemptOutcome outcome;
        try
        {
            var state = (Downloader: this, Target: target, Started: started);
            outcome = await _pipeline.ExecuteAsync(
                static async (ctx, s) => await s.Downloader.AttemptAsync(s.Target, s.Started, ctx.CancellationToken).ConfigureAwait(false),
                context,
                state).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = new AttemptOutcome { Reason = FailureReason.ItemTimeout };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        Finish(item, outcome);
        return outcome;
    }

    private async ValueTask<AttemptOutcome> AttemptAsync(FetchTarget target, long started, CancellationToken itemToken)
    {
        var startedAt = _time.GetUtcNow();
        var attemptStart = _time.GetTimestamp();
        AttemptOutcome outcome;
        try
        {
            outcome = await _fetcher.FetchAsync(target, itemToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception exception)
        {
            // The fetcher classifies what it expects; anything else still ends as a recorded failure, not a crash.
            outcome = new AttemptOutcome { Reason = FailureReason.Unknown, GiveUp = true };
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

        _journal.Record(new AttemptFinished(target.ItemId, new AttemptRecord(
            startedAt, _time.GetElapsedTime(attemptStart), outcome.Reason, outcome.Status, outcome.RangeStart, outcome.BytesReceived)));
        return outcome;
    }

    /// <summary>
    /// A file already at the item's final path, not yet recorded as done, was put there by an earlier run that stopped
    /// between the rename and the journal's commit: only verified files are ever renamed there. It is kept.
    /// </summary>
    private static async Task<AttemptOutcome?> TryAdoptAsync(FetchTarget target, CancellationToken cancellationToken)
    {
        var file = new FileInfo(target.FinalPath);
        if (!file.Exists)
        {
            return null;
        }

        string sha256;
        var stream = file.OpenRead();
        await using (stream.ConfigureAwait(false))
        {
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }

        if (target.ExpectedSha256 is not null && !string.Equals(sha256, target.ExpectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new AttemptOutcome { Reason = FailureReason.None, FileSize = file.Length, Sha256 = sha256 };
    }

    private void Finish(JournalItem item, AttemptOutcome outcome)
    {
        if (outcome.Reason == FailureReason.DiskFull)
        {
            // Not the item's fault: it stays pending, and the job stops.
            return;
        }

        if (outcome.Succeeded)
        {
            _journal.Record(new ItemDone(item.Id, outcome.FileSize, outcome.Sha256!));
            _progress.ItemDone();
        }
        else
        {
            _journal.Record(new ItemFailed(item.Id, outcome.Reason, outcome.Status));
            _progress.ItemFailed();
        }
    }
}
