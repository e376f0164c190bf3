namespace Haul.Engine;

/// <summary>The defaults of <see cref="HaulOptions"/>, each a decision.</summary>
internal static class HaulDefaults
{
    public const int MaxConcurrency = 16;

    /// <summary>Four connections a host is what browsers open and what most sites tolerate from one client.</summary>
    public const int MaxConcurrencyPerHost = 4;

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan ResponseHeadersTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan ItemTimeout = TimeSpan.FromMinutes(30);

    /// <summary>Like curl's --speed-limit 1 with --speed-time 30: a body that crawls below 1 KiB/s for 30 s is abandoned.</summary>
    public const long LowSpeedLimit = 1024;

    public static readonly TimeSpan LowSpeedTime = TimeSpan.FromSeconds(30);

    public const int MaxAttempts = 8;
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(60);

    /// <summary>A reset on a reused connection is retried at once on a fresh one this many times an attempt.</summary>
    public const int MaxStaleRetries = 3;

    /// <summary>
    /// Below the 5 s keep-alive timeout of Apache and many CDNs, so Haul drops an idle connection before the server
    /// does and the stale-connection race is rare rather than routine.
    /// </summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Bounded so that DNS changes are noticed on long jobs.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    public const int MaxRedirects = 10;

    /// <summary>A failing proxy of a list is first left alone this long: long enough for its hosts to move, short enough to find it back.</summary>
    public static readonly TimeSpan ProxySetAside = TimeSpan.FromSeconds(10);

    /// <summary>An honest User-Agent: Haul and its version (<c>Haul/0.3.0</c>), so a site knows who is asking.</summary>
    public static readonly string UserAgent = "Haul/" + Version;

    /// <summary>Haul's version, as the build stamps it (without the commit that some builds add after a <c>+</c>).</summary>
    public static string Version =>
        (typeof(HaulDefaults).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0")
        .Split('+')[0];

    /// <summary>
    /// Each body starts with a pooled buffer of this size: small, so that many workers on small files hold little.
    /// </summary>
    public const int BufferSize = 64 * 1024;

    /// <summary>
    /// The largest buffer a body grows to: a body whose reads keep filling its buffer gets one twice as large, up to
    /// this, so a fast body costs a quarter of the reads, writes and wake-ups a 64 KiB buffer would.
    /// </summary>
    public const int MaxBufferSize = 1024 * 1024;

    /// <summary>The longest pause of a host that pushes back without Retry-After.</summary>
    public static readonly TimeSpan HostPauseCap = TimeSpan.FromSeconds(30);

    /// <summary>The first pause after a ban; it doubles while the ban lasts.</summary>
    public static readonly TimeSpan BanPause = TimeSpan.FromSeconds(5);
}
