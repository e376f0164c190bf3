using System.Threading.RateLimiting;

namespace Haul.Fetching;

/// <summary>
/// The job's cap on download bandwidth (<c>--limit-rate</c>), shared by every body: a token bucket of bytes
/// (<see cref="TokenBucketRateLimiter"/>) refilled 20 times a second by a timer of the job's clock, holding a quarter of
/// a second's worth, so that a burst stays small. A body takes the bytes it read after each read and waits, in order of
/// arrival, while the bucket is empty; the server then sees TCP's flow control, as with curl's limit.
/// </summary>
internal sealed class BandwidthLimit : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    private readonly TokenBucketRateLimiter _bucket;
    private readonly ITimer _refill;

    public BandwidthLimit(long bytesPerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);

        // At least one byte a period: a rate under 20 bytes a second refills one byte at a time, more slowly.
        var period = bytesPerSecond >= 20 ? Period : TimeSpan.FromSeconds(1.0 / bytesPerSecond);
        var perPeriod = (int)Math.Min(int.MaxValue / 4, Math.Max(1, bytesPerSecond * period.TotalSeconds));
        MaxChunk = (int)Math.Min(int.MaxValue / 4, Math.Max(perPeriod, bytesPerSecond / 4.0));
        _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = MaxChunk,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = period,
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _refill = time.CreateTimer(static bucket => ((TokenBucketRateLimiter)bucket!).TryReplenish(), _bucket, period, period);
    }

    /// <summary>The most bytes one read may take: the bucket's size.</summary>
    public int MaxChunk { get; }

    /// <summary>Takes <paramref name="bytes"/> (at most <see cref="MaxChunk"/>) from the bucket, waiting while it is empty.</summary>
    public async ValueTask WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        using var lease = await _bucket.AcquireAsync(Math.Min(bytes, MaxChunk), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _refill.Dispose();
        _bucket.Dispose();
    }
}
