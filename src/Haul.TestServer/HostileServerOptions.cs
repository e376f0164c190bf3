namespace Haul.TestServer;

/// <summary>Configuration of a <see cref="HostileServer"/>: the file set and the faults.</summary>
public sealed record HostileServerOptions
{
    /// <summary>Seed for sizes, content and fault decisions.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Port on 127.0.0.1; 0 picks an ephemeral port.</summary>
    public int Port { get; init; }

    /// <summary>Number of files <c>/files/img00000.jpg</c> onwards.</summary>
    public int FileCount { get; init; } = 100;

    /// <summary>Smallest file size; sizes are log-uniform between min and max.</summary>
    public long MinFileSize { get; init; } = 1024;

    /// <summary>Largest file size.</summary>
    public long MaxFileSize { get; init; } = 256 * 1024;

    /// <summary>Extra files <c>/files/large00000.jpg</c> onwards with exactly these sizes.</summary>
    public IReadOnlyList<long> ExtraFileSizes { get; init; } = [];

    /// <summary>Random faults on file requests.</summary>
    public FaultProfile Faults { get; init; } = FaultProfile.None;

    /// <summary>A request on a reused connection idle longer than this is reset; null disables it.</summary>
    public TimeSpan? StaleAfterIdle { get; init; }

    /// <summary>Rate-limit ban; null disables it.</summary>
    public BanOptions? Ban { get; init; }

    /// <summary>A rate limit answering 429 with Retry-After beyond it; null disables it.</summary>
    public RateLimitOptions? RateLimit { get; init; }

    /// <summary>Every request is answered 503 (without Retry-After) for this long after the first one; null disables it.</summary>
    public TimeSpan? Outage { get; init; }

    /// <summary>How long a stall holds the socket open and silent before closing; also the silence of a pause and the wait of a slow head.</summary>
    public TimeSpan StallDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throughput of the slow-drip fault.</summary>
    public int SlowDripBytesPerSecond { get; init; } = 256 * 1024;

    /// <summary>Seconds announced in injected 429/503 Retry-After headers.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>HTTPS with a generated certificate; null serves plain HTTP.</summary>
    public ServerTls? Tls { get; init; }

    /// <summary>The seeded gallery site (pages, traps, robots.txt and their images); null serves no gallery routes.</summary>
    public GalleryOptions? Gallery { get; init; }

    /// <summary>Clock for dates, idle checks, bans and delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws an <see cref="ArgumentException"/> naming every invalid field.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add("Port must be between 0 and 65535");
        }

        if (FileCount is < 0 or > 100_000)
        {
            problems.Add("FileCount must be between 0 and 100000");
        }

        if (MinFileSize < 1)
        {
            problems.Add("MinFileSize must be at least 1");
        }

        if (MaxFileSize < MinFileSize)
        {
            problems.Add("MaxFileSize must be at least MinFileSize");
        }

        if (ExtraFileSizes is null)
        {
            problems.Add("ExtraFileSizes must not be null");
        }
        else if (ExtraFileSizes.Any(s => s < 0))
        {
            problems.Add("ExtraFileSizes must not contain negative sizes");
        }
        else if (ExtraFileSizes.Count > 100_000)
        {
            problems.Add("ExtraFileSizes must have at most 100000 entries");
        }

        if (Faults is null)
        {
            problems.Add("Faults must not be null");
        }
        else
        {
            problems.AddRange(Faults.Problems());
        }

        if (StaleAfterIdle is { } stale && stale <= TimeSpan.Zero)
        {
            problems.Add("StaleAfterIdle must be positive when set");
        }

        if (Ban is { } ban)
        {
            if (ban.RequestsPerSecond < 1)
            {
                problems.Add("Ban.RequestsPerSecond must be at least 1");
            }

            if (ban.Duration <= TimeSpan.Zero)
            {
                problems.Add("Ban.Duration must be positive");
            }
        }

        if (RateLimit is { } rate)
        {
            if (!(rate.RequestsPerSecond > 0))
            {
                problems.Add("RateLimit.RequestsPerSecond must be positive");
            }

            if (rate.Burst < 0)
            {
                problems.Add("RateLimit.Burst must not be negative");
            }

            if (rate.RetryAfterSeconds < 0)
            {
                problems.Add("RateLimit.RetryAfterSeconds must not be negative");
            }
        }

        if (Outage is { } outage && outage <= TimeSpan.Zero)
        {
            problems.Add("Outage must be positive when set");
        }

        if (StallDuration < TimeSpan.Zero)
        {
            problems.Add("StallDuration must not be negative");
        }

        if (SlowDripBytesPerSecond < 1)
        {
            problems.Add("SlowDripBytesPerSecond must be at least 1");
        }

        if (RetryAfterSeconds < 0)
        {
            problems.Add("RetryAfterSeconds must not be negative");
        }

        if (Tls is { } tls && !Enum.IsDefined(tls.Certificate))
        {
            problems.Add("Tls.Certificate is not a known certificate kind");
        }

        if (Gallery is { } gallery)
        {
            problems.AddRange(gallery.Problems());
        }

        if (TimeProvider is null)
        {
            problems.Add("TimeProvider must not be null");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid hostile server options: " + string.Join("; ", problems) + ".");
        }
    }
}
