using System.Globalization;
using Haul.Fetching;
using Haul.Writing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Haul.Engine;

/// <summary>Everything that configures a download job. Validate once with <see cref="Validate"/>.</summary>
public sealed record HaulOptions
{
    /// <summary>The longest wait a <see cref="CancellationTokenSource"/> or a timer accepts: <see cref="uint.MaxValue"/> - 1 milliseconds.</summary>
    private static readonly TimeSpan MaxTimerSpan = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The longest backoff delay the retry strategy accepts.</summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromDays(1);

    /// <summary>The folder that receives the files, the journal (<c>.haul/</c>), <c>report.json</c> and <c>failed.txt</c>.</summary>
    public string OutputDirectory { get; init; } = "haul-out";

    /// <summary>How many items are fetched at once, over all hosts. Default 16.</summary>
    public int MaxConcurrency { get; init; } = HaulDefaults.MaxConcurrency;

    /// <summary>How many items of one host are fetched at once. Default 4.</summary>
    public int MaxConcurrencyPerHost { get; init; } = HaulDefaults.MaxConcurrencyPerHost;

    /// <summary>Deadline for establishing a TCP connection. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = HaulDefaults.ConnectTimeout;

    /// <summary>Deadline from sending a request to receiving the response headers, connecting included. Default 30 s.</summary>
    public TimeSpan ResponseHeadersTimeout { get; init; } = HaulDefaults.ResponseHeadersTimeout;

    /// <summary>
    /// Longest silence allowed while reading a body, re-armed before every read; the ceiling of each host's adaptive stall
    /// deadline, and the deadline of a host not yet known. Default 20 s.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = HaulDefaults.StallTimeout;

    /// <summary>Whole time budget of one item: every attempt and every wait between them. Default 30 min.</summary>
    public TimeSpan ItemTimeout { get; init; } = HaulDefaults.ItemTimeout;

    /// <summary>Minimum body speed in bytes a second, measured over <see cref="LowSpeedTime"/>; 0 turns it off. Default 1024.</summary>
    public long LowSpeedLimit { get; init; } = HaulDefaults.LowSpeedLimit;

    /// <summary>The window over which <see cref="LowSpeedLimit"/> is measured. Default 30 s.</summary>
    public TimeSpan LowSpeedTime { get; init; } = HaulDefaults.LowSpeedTime;

    /// <summary>Attempts an item gets, the first included. Default 8.</summary>
    public int MaxAttempts { get; init; } = HaulDefaults.MaxAttempts;

    /// <summary>First backoff delay; it grows exponentially with decorrelated jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = HaulDefaults.RetryBaseDelay;

    /// <summary>Largest backoff delay Haul picks itself (a server's Retry-After may ask for more, within the item's budget). Default 60 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = HaulDefaults.RetryMaxDelay;

    /// <summary>Immediate retries on a fresh connection after a reset on a reused one, per attempt. Default 3.</summary>
    public int MaxStaleRetries { get; init; } = HaulDefaults.MaxStaleRetries;

    /// <summary>How long an idle pooled connection is kept. Default 4 s.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; init; } = HaulDefaults.PooledConnectionIdleTimeout;

    /// <summary>Redirects followed before giving up. Default 10.</summary>
    public int MaxRedirects { get; init; } = HaulDefaults.MaxRedirects;

    /// <summary>Largest body accepted, in bytes; null for no limit.</summary>
    public long? MaxFileSize { get; init; }

    /// <summary>The User-Agent header.</summary>
    public string UserAgent { get; init; } = HaulDefaults.UserAgent;

    /// <summary>
    /// Extra request headers. Those that carry credentials (<c>Authorization</c>, <c>Cookie</c>,
    /// <c>Proxy-Authorization</c>) go only to the origin (scheme, host, port) of the URL an item was given with; the
    /// others go with every request, redirects included.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// Send credential headers to every origin a redirect leads to (curl's <c>--location-trusted</c>), though never
    /// over http after https. Default false: they stay with their origin.
    /// </summary>
    public bool SendCredentialsOnRedirect { get; init; }

    /// <summary>What to do with a file found at an item's final path that Haul did not write. Default: keep it as a numbered backup when it differs.</summary>
    public ExistingFilePolicy ExistingFiles { get; init; } = ExistingFilePolicy.Backup;

    /// <summary>
    /// PEM files of certificates to trust in addition to the system's trust store: the CA of a private network, or a
    /// server's self-signed certificate. A file may hold several certificates (a bundle). Unlike curl's <c>--cacert</c>,
    /// which replaces the store, these add to it: public sites keep working. The files are read when the job starts;
    /// one that cannot be read, is not PEM or holds no certificate is reported by <see cref="Validate"/>, by name.
    /// </summary>
    public IReadOnlyList<string> TrustedCertificateFiles { get; init; } = [];

    /// <summary>
    /// Accepts every server certificate without verifying it (curl's <c>-k</c>): expired, self-signed, for another
    /// name. Anyone between Haul and the server can then read and change what is downloaded; for tests and trusted
    /// networks only. Default false.
    /// </summary>
    public bool Insecure { get; init; }

    /// <summary>The least time between the starts of two requests to one host (wget's <c>--wait</c>); zero for none.</summary>
    public TimeSpan Wait { get; init; }

    /// <summary>Each wait is drawn between 0.5 and 1.5 times <see cref="Wait"/> (wget's <c>--random-wait</c>), so requests do not tick like a clock.</summary>
    public bool RandomWait { get; init; }

    /// <summary>The most requests a second to one host; null for no limit. With <see cref="Wait"/>, the longer gap holds.</summary>
    public double? MaxRequestsPerSecond { get; init; }

    /// <summary>The first pause of a host after a ban (resets at connect, many in a row); it doubles while the ban lasts.</summary>
    internal TimeSpan BanPause { get; init; } = HaulDefaults.BanPause;

    /// <summary>The clock: every deadline, backoff and Retry-After date is measured with it.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Source of randomness for backoff jitter, a number in [0, 1); null for a shared random source.</summary>
    public Func<double>? Randomizer { get; init; }

    /// <summary>Where the engine logs what a report cannot show (unexpected errors). Default: nowhere.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>
    /// The job's whole download bandwidth in bytes a second (curl's and wget's <c>--limit-rate</c>, but for the job, as
    /// aria2's <c>--max-overall-download-limit</c>: every body together stays under it); null for no limit. Time a
    /// body spends held back by it counts neither as a stall nor against <see cref="LowSpeedLimit"/>.
    /// </summary>
    public long? MaxBytesPerSecond { get; init; }

    // Identity: who the job says it is, and what it carries for its sites.

    /// <summary>
    /// Keep a cookie jar for the job (RFC 6265): cookies that responses set, redirect hops included, are sent back to
    /// the hosts and paths they belong to, <c>Secure</c> ones over https only, and kept in the journal so that a
    /// resumed job sends the cookies it had (session cookies too, as a resumed browser session does). Default true;
    /// false is wget's <c>--no-cookies</c>. A <c>Cookie</c> given in <see cref="Headers"/> keeps its own rule (the
    /// item's origin only) either way.
    /// </summary>
    public bool UseCookies { get; init; } = true;

    /// <summary>
    /// A Netscape <c>cookies.txt</c> (as browsers' export extensions and curl's <c>-c</c> write it) whose cookies are
    /// put in the job's jar when it starts, replacing those of the same name, domain and path; null for none. The
    /// file is checked by <see cref="Validate"/>: one that cannot be read or has a malformed line is reported by name
    /// and line.
    /// </summary>
    public string? CookieFile { get; init; }

    /// <summary>
    /// The credential of <c>-u user:password</c> (curl), for HTTP Basic or Digest authentication; null for none. It
    /// goes only to the origin (scheme, host, port) of each item given (for a crawl, of the start pages), and only
    /// once that origin has asked for it with a 401; never after a redirect to another origin.
    /// </summary>
    public System.Net.NetworkCredential? User { get; init; }

    /// <summary>
    /// A netrc file (<c>~/.netrc</c> for curl's <c>--netrc</c>) whose <c>machine</c> entries give credentials by host,
    /// and <c>default</c> for any other, under the same origin rule as <see cref="User"/>, which wins over it; null for
    /// none. Checked by <see cref="Validate"/>.
    /// </summary>
    public string? NetrcFile { get; init; }

    /// <summary>
    /// Present the job as this browser: its whole, coherent header profile (User-Agent, <c>Accept</c> for pages and for
    /// images, <c>Accept-Language</c>, <c>Accept-Encoding</c> of codings Haul decodes, <c>Sec-Fetch-*</c>, client
    /// hints where it sends them), the same for every request of the job. Null (the default): Haul's own honest
    /// <see cref="UserAgent"/> and nothing else. A <see cref="UserAgent"/> other than the default, or a header of
    /// <see cref="Headers"/>, wins over the profile's.
    /// </summary>
    public Identity.Browser? Browser { get; init; }

    // Proxies: how requests leave. See ProxyConfiguration and ProxyRouter; the README's "Proxies" section.

    /// <summary>
    /// A proxy for every request (curl's <c>-x</c>): <c>http://</c>, <c>https://</c> (TLS to the proxy),
    /// <c>socks5://</c> (names resolved by Haul) or <c>socks5h://</c> (names resolved by the proxy), optionally with
    /// credentials (<c>http://user:password@proxy:3128</c>; percent-encode <c>@</c> and <c>:</c> in them). No scheme
    /// means <c>http://</c>; no port means 1080 (443 for <c>https://</c>). It wins over the environment. Credentials
    /// are never logged or reported. Null for none.
    /// </summary>
    public string? Proxy { get; init; }

    /// <summary>
    /// Proxies to spread hosts across, each a URL as for <see cref="Proxy"/>: a host keeps its proxy while it works; a
    /// proxy that fails is set aside for a while (<see cref="ProxySetAside"/>, doubling with each failure in a row)
    /// and its items go through another; when every proxy is set aside, items wait within their time budget. Wins
    /// over the environment. Empty for none.
    /// </summary>
    public IReadOnlyList<string> ProxyList { get; init; } = [];

    /// <summary>
    /// Hosts that go direct (curl's <c>--noproxy</c>): a comma-separated list of names (each matching itself and the
    /// names under it), IP addresses, CIDR blocks and <c>host:port</c>; <c>*</c> for every host, which turns proxies
    /// off. Null to take the environment's <c>no_proxy</c>; an empty string to proxy every host whatever it says.
    /// </summary>
    public string? NoProxy { get; init; }

    /// <summary>
    /// Where the proxy environment variables are read from (<c>http_proxy</c>, <c>https_proxy</c>,
    /// <c>HTTPS_PROXY</c>, <c>all_proxy</c>, <c>ALL_PROXY</c>, <c>no_proxy</c>, <c>NO_PROXY</c>, as curl reads them;
    /// an upper-case <c>HTTP_PROXY</c> is ignored, as curl does). Default: the process's environment. Null to ignore
    /// the environment (wget's <c>--no-proxy</c>).
    /// </summary>
    public Func<string, string?>? ProxyEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>How long a proxy of <see cref="ProxyList"/> is first set aside after a failure; it doubles with each failure in a row, up to 10 minutes. Default 10 s.</summary>
    public TimeSpan ProxySetAside { get; init; } = HaulDefaults.ProxySetAside;

    /// <summary>
    /// A job in a journal that many workers, on many machines, share (a PostgreSQL database), instead of the output
    /// folder's own journal; null (the default) for a job of one folder. Host limits then hold across all workers.
    /// </summary>
    public SharedJob? SharedJob { get; init; }

    /// <summary>The least gap between the starts of a host's requests that <see cref="Wait"/> and <see cref="MaxRequestsPerSecond"/> ask for.</summary>
    internal TimeSpan HostGap =>
        MaxRequestsPerSecond is { } rate && TimeSpan.FromSeconds(1 / rate) > Wait ? TimeSpan.FromSeconds(1 / rate) : Wait;

    /// <summary>
    /// Shows the options that carry no secret: headers, credentials, cookies and proxies (whose URLs may hold a
    /// password) are left out, so that logging the options never leaks them.
    /// </summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"OutputDirectory = {OutputDirectory}, MaxConcurrency = {MaxConcurrency}, MaxConcurrencyPerHost = {MaxConcurrencyPerHost}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"ItemTimeout = {ItemTimeout}, MaxAttempts = {MaxAttempts}, UserAgent = {UserAgent}, Proxy = {(Proxy is null ? "none" : "set")}, ProxyList = {ProxyList?.Count ?? 0}, ");
        builder.Append(SharedJob is null ? "SharedJob = none" : $"SharedJob = {SharedJob.Name}");
        return true;
    }

    /// <summary>Checks every option and throws one <see cref="ArgumentException"/> listing every problem.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            problems.Add("the output folder is empty");
        }

        RequirePositive(problems, MaxConcurrency, "concurrency (-j)");
        RequirePositive(problems, MaxConcurrencyPerHost, "per-host concurrency");
        RequirePositive(problems, MaxAttempts, "attempts (--tries)");
        RequirePositive(problems, ConnectTimeout, "connect timeout");
        RequirePositive(problems, ResponseHeadersTimeout, "response headers timeout");
        RequirePositive(problems, StallTimeout, "stall timeout");
        RequirePositive(problems, ItemTimeout, "item timeout");
        RequirePositive(problems, LowSpeedTime, "low speed time");
        RequirePositive(problems, PooledConnectionIdleTimeout, "pooled connection idle timeout");
        RequireTimerRange(problems, ConnectTimeout, "connect timeout");
        RequireTimerRange(problems, ResponseHeadersTimeout, "response headers timeout");
        RequireTimerRange(problems, StallTimeout, "stall timeout");
        RequireTimerRange(problems, ItemTimeout, "item timeout");
        RequireTimerRange(problems, LowSpeedTime, "low speed time");
        RequireTimerRange(problems, PooledConnectionIdleTimeout, "pooled connection idle timeout");
        if (RetryBaseDelay > MaxRetryDelay || RetryMaxDelay > MaxRetryDelay)
        {
            problems.Add("retry delays must be at most 1 day");
        }

        if (LowSpeedLimit < 0)
        {
            problems.Add("the low speed limit must not be negative");
        }

        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
        {
            problems.Add("retry delays must satisfy 0 <= base delay <= max delay");
        }

        if (MaxStaleRetries < 0 || MaxRedirects < 0)
        {
            problems.Add("stale retries and redirects must not be negative");
        }

        if (MaxFileSize is <= 0)
        {
            problems.Add("the maximum file size must be positive");
        }

        if (Wait < TimeSpan.Zero || Wait > MaxRetryDelay)
        {
            problems.Add("the wait between a host's requests must be between 0 and 1 day");
        }

        if (MaxRequestsPerSecond is { } rate && (double.IsNaN(rate) || rate <= 0 || rate > 1_000_000))
        {
            problems.Add("the most requests a second to a host must be more than 0 and at most 1000000");
        }

        if (MaxBytesPerSecond is <= 0)
        {
            problems.Add("the bandwidth limit must be at least 1 byte a second");
        }

        if (HasLineBreakOrNul(UserAgent))
        {
            problems.Add("the User-Agent contains CR, LF or NUL");
        }

        foreach (var header in Headers)
        {
            if (string.IsNullOrWhiteSpace(header.Key) || header.Key.Any(c => c <= ' ' || c == ':' || c > '~'))
            {
                problems.Add($"the header name '{header.Key}' is not a valid HTTP header name");
            }

            if (HasLineBreakOrNul(header.Value))
            {
                problems.Add($"the value of header '{header.Key}' contains CR, LF or NUL");
            }
        }

        if (TrustedCertificateFiles is null)
        {
            problems.Add("the trusted certificate files must not be null");
        }
        else
        {
            problems.AddRange(TrustedCertificates.Problems(TrustedCertificateFiles));
        }

        if (CookieFile is not null)
        {
            try
            {
                // Read through, one line at a time, for its errors; the cookies are not kept.
                _ = Identity.CookieFile.Read(CookieFile, TimeProvider.GetUtcNow()).Count();
            }
            catch (InvalidDataException exception)
            {
                problems.Add(exception.Message);
            }
        }

        if (NetrcFile is not null)
        {
            try
            {
                Identity.NetrcFile.Read(NetrcFile);
            }
            catch (InvalidDataException exception)
            {
                problems.Add(exception.Message);
            }
        }

        if (User is not null && (string.IsNullOrEmpty(User.UserName) || HasLineBreakOrNul(User.UserName) || HasLineBreakOrNul(User.Password)))
        {
            problems.Add("the user name is empty, or the user name or password contains CR, LF or NUL");
        }

        if (Proxy is not null && ProxyList is { Count: > 0 })
        {
            problems.Add("give a proxy or a proxy list, not both");
        }

        RequirePositive(problems, ProxySetAside, "proxy set-aside time");
        RequireTimerRange(problems, ProxySetAside, "proxy set-aside time");
        if (ProxyList is null)
        {
            problems.Add("the proxy list must not be null");
        }
        else
        {
            problems.AddRange(Proxies.ProxyConfiguration.From(this).Problems);
        }

        if (SharedJob is { } shared)
        {
            problems.AddRange(shared.Problems());
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid options: " + string.Join("; ", problems) + ".");
        }
    }

    private static void RequireTimerRange(List<string> problems, TimeSpan value, string name)
    {
        if (value > MaxTimerSpan)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name} must be at most {MaxTimerSpan.TotalMilliseconds} ms (about 49.7 days), the longest a timer can wait"));
        }
    }

    private static bool HasLineBreakOrNul(string? text) => text is not null && text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    private static void RequirePositive(List<string> problems, int value, string name)
    {
        if (value <= 0)
        {
            problems.Add($"{name} must be at least 1");
        }
    }

    private static void RequirePositive(List<string> problems, TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{name} must be positive");
        }
    }
}
