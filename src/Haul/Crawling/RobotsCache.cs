using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Text;
using Haul.Engine;
using Haul.Journal;
using Microsoft.Extensions.Logging;

namespace Haul.Crawling;

/// <summary>
/// robots.txt of every origin a crawl touches, fetched once per run before the first request to that origin and shared
/// by every worker, as RFC 9309 says: up to five redirects are followed; a 4xx (but 429) means no rules; a 429, a 5xx or
/// no answer after a few tries means everything is disallowed (logged, and its items skipped with
/// <c>robots-unavailable</c>, so a rerun tries again); a body over 500 KiB is read up to there. In a shared job the
/// robots.txt one worker read is kept in the journal for a day, and the others take it from there.
/// </summary>
internal sealed class RobotsCache
{
    /// <summary>Haul's own product token: the group of a crawl whose User-Agent names no crawler.</summary>
    public const string HaulToken = "haul";

    /// <summary>The name of a browser's User-Agent (<c>Mozilla/5.0 (…) Chrome/…</c>), which names no crawler.</summary>
    private const string BrowserToken = "Mozilla";

    private const int Tries = 3;

    /// <summary>Redirects of a robots.txt followed (RFC 9309 asks for at least five).</summary>
    private const int MaxRedirects = 5;

    /// <summary>How long a robots.txt kept in a shared journal is used (RFC 9309 2.4: no longer than 24 hours).</summary>
    private static readonly TimeSpan SharedMaxAge = TimeSpan.FromHours(24);

    private static readonly RobotsTxt DisallowAll = RobotsTxt.Parse("User-agent: *\nDisallow: /\n");

    /// <summary>In a shared job, how long an origin whose robots.txt could not be read waits before it is looked for again.</summary>
    private static readonly TimeSpan SharedRetry = TimeSpan.FromSeconds(30);

    /// <summary>Origins whose robots.txt could not be read, with when (a <see cref="TimeProvider"/> timestamp).</summary>
    private readonly ConcurrentDictionary<string, long> _unavailable = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Lazy<Task<RobotsTxt>>> _byOrigin = new(StringComparer.Ordinal);
    private readonly HttpClient _client;
    private readonly HaulOptions _options;
    private readonly ILogger _logger;
    private readonly ISharedJobJournal? _shared;

    public RobotsCache(HttpClient client, HaulOptions options, ISharedJobJournal? shared = null)
    {
        _client = client;
        _options = options;
        _shared = shared;
        _logger = options.LoggerFactory.CreateLogger("Haul.Crawling");
        ProductToken = ProductTokenOf(Fetching.RequestFactory.UserAgentOf(options));
    }

    /// <summary>The product token this crawl's robots.txt group is found by (<see cref="ProductTokenOf"/> of the User-Agent it sends).</summary>
    public string ProductToken { get; }

    /// <summary>
    /// The product token a crawler sending <paramref name="userAgent"/> is known by in robots.txt, as Google's parser and
    /// Scrapy take it: the User-Agent's first product token, read by the rule of a <c>User-agent</c> line (its leading
    /// letters, <c>_</c> and <c>-</c>), so <c>otherbot/1.0 (+https://example.org/bot)</c> is <c>otherbot</c>. Haul's own
    /// <see cref="HaulToken"/> when that is empty (no User-Agent, or one that starts otherwise) or <c>Mozilla</c>: a
    /// browser's User-Agent (<c>--browser</c>, or one given with <c>-U</c>) names no crawler, and the crawler is still
    /// Haul. A token no group names falls back to the <c>*</c> groups (<see cref="RobotsTxt.For"/>).
    /// </summary>
    public static string ProductTokenOf(string userAgent)
    {
        var token = RobotsTxt.LeadingToken(userAgent.TrimStart());
        return token.Length == 0 || token.Equals(BrowserToken, StringComparison.OrdinalIgnoreCase) ? HaulToken : token;
    }

    /// <summary>The rules for Haul of <paramref name="url"/>'s origin, fetching its robots.txt the first time.</summary>
    public async Task<RobotsTxt> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        var entry = _byOrigin.GetOrAdd(origin, key => new Lazy<Task<RobotsTxt>>(() => LoadAsync(key, again: false)));
        if (_shared is not null && _unavailable.TryGetValue(origin, out var since)
            && _options.TimeProvider.GetElapsedTime(since) >= SharedRetry && _unavailable.TryRemove(new KeyValuePair<string, long>(origin, since)))
        {
            // Another worker of the job may have read it since (and given the items skipped for it a fresh start): look
            // again, in the journal, then at the host.
            entry = new Lazy<Task<RobotsTxt>>(() => LoadAsync(origin, again: true));
            _byOrigin[origin] = entry;
        }

        return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="rules"/> are those of a robots.txt that could not be read: everything of its origin is disallowed.</summary>
    public static bool IsUnavailable(RobotsTxt rules) => ReferenceEquals(rules, DisallowAll);

    /// <summary>The rules of <paramref name="origin"/>: as another worker of a shared job read them, else fetched (and then kept for the others).</summary>
    /// <remarks>
    /// <paramref name="again"/>: this worker could not read it before, and skipped the origin's items for it; found now,
    /// it is kept once more, which gives the items this worker skipped after another worker kept it a fresh start too.
    /// </remarks>
    private async Task<RobotsTxt> LoadAsync(string origin, bool again)
    {
        var robotsUrl = new Uri(origin + "/robots.txt");
        if (_shared is null)
        {
            return (await FetchAsync(robotsUrl).ConfigureAwait(false)).Rules;
        }

        if (await ReadKeptAsync(_shared, origin, robotsUrl).ConfigureAwait(false) is { } kept)
        {
            if (again)
            {
                await KeepAsync(_shared, origin, kept.Body, robotsUrl).ConfigureAwait(false);
            }

            return kept.Rules;
        }

        var (rules, body) = await FetchAsync(robotsUrl).ConfigureAwait(false);
        if (body is { } fetched)
        {
            await KeepAsync(_shared, origin, fetched, robotsUrl).ConfigureAwait(false);
        }
        else if (await ReadKeptAsync(_shared, origin, robotsUrl).ConfigureAwait(false) is { } late)
        {
            // Not readable from here, but another worker read it meanwhile.
            _unavailable.TryRemove(origin, out _);
            return late.Rules;
        }

        return rules;
    }

    /// <summary>The robots.txt of <paramref name="origin"/> as another worker of the job kept it, or null (none, or the journal failed: it is fetched).</summary>
    private async Task<(RobotsTxt Rules, byte[] Body)?> ReadKeptAsync(ISharedJobJournal shared, string origin, Uri robotsUrl)
    {
        try
        {
            // Not a caller's token, as for the fetch: one read serves every worker of this process.
            if (await shared.ReadRobotsAsync(origin, SharedMaxAge, CancellationToken.None).ConfigureAwait(false) is { } stored)
            {
                Note(robotsUrl, $"as another worker of the job read it, {stored.Length} bytes");
                return (stored.Length == 0 ? RobotsTxt.AllowAll : RobotsTxt.Parse(stored), stored);
            }
        }
        catch (DbException exception)
        {
            // The journal's own failures stop the job where it writes; here the file is only fetched.
            Note(robotsUrl, $"not read from the journal ({exception.Message})");
        }

        return null;
    }

    /// <summary>Keeps a robots.txt for the job's other workers; one the journal cannot take is fetched by them too.</summary>
    private async Task KeepAsync(ISharedJobJournal shared, string origin, ReadOnlyMemory<byte> body, Uri robotsUrl)
    {
        try
        {
            await shared.SaveRobotsAsync(origin, body, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException exception)
        {
            Note(robotsUrl, $"not kept in the journal ({exception.Message}): the other workers fetch it too");
        }
    }

    private void Note(Uri robotsUrl, string outcome)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.RobotsRead(_logger, robotsUrl, outcome);
        }
    }

    /// <summary>The rules, and the body they came from (empty for no rules; null when it could not be read, so that others try again).</summary>
    private async Task<(RobotsTxt Rules, ReadOnlyMemory<byte>? Body)> FetchAsync(Uri robotsUrl)
    {
        string? problem = null;
        var tries = Math.Min(Tries, _options.MaxAttempts);
        for (var attempt = 1; attempt <= tries; attempt++)
        {
            // Not the caller's token: one fetch serves every worker, so one worker's cancellation must not fail it.
            using var deadline = new CancellationTokenSource(_options.ResponseHeadersTimeout, _options.TimeProvider);
            try
            {
                var url = robotsUrl;
                for (var hop = 0; ; hop++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    request.Headers.TryAddWithoutValidation("User-Agent", Fetching.RequestFactory.UserAgentOf(_options));
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (status is >= 300 and < 400 && response.Headers.Location is { } location && hop < MaxRedirects)
                    {
                        // RFC 9309 2.3.1.2: follow at least five redirects (http to https, to www.), within http(s).
                        var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                        if (next.Scheme is not ("http" or "https"))
                        {
                            return (RobotsTxt.AllowAll, ReadOnlyMemory<byte>.Empty);
                        }

                        url = next;
                        continue;
                    }

                    if (response.IsSuccessStatusCode)
                    {
                        var body = await ReadLimitedAsync(response, deadline.Token).ConfigureAwait(false);
                        if (_logger.IsEnabled(LogLevel.Information))
                        {
                            Log.RobotsRead(_logger, url, body.Length > RobotsTxt.MaxBytes ? $"read its first {RobotsTxt.MaxBytes} bytes (it is longer)" : $"read, {body.Length} bytes");
                        }

                        return (RobotsTxt.Parse(body.Span), body);
                    }

                    // 2.3.1.3: a 4xx (too many redirects included) means there are no rules; a 429 is the server asking to wait.
                    if (status is >= 300 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        var outcome = "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture) + ": no rules";
                        Log.RobotsRead(_logger, url, outcome);

                        return (RobotsTxt.AllowAll, ReadOnlyMemory<byte>.Empty);
                    }

                    problem = "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    break;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
            {
                problem = exception is OperationCanceledException ? "no answer in time" : exception.Message;
            }

            if (attempt < tries)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _options.TimeProvider).ConfigureAwait(false);
            }
        }

        // 2.3.1.4: a robots.txt that cannot be read (5xx, or no answer) means assume everything is disallowed.
        Log.RobotsUnavailable(_logger, robotsUrl, problem ?? "unknown");
        _unavailable[robotsUrl.GetLeftPart(UriPartial.Authority)] = _options.TimeProvider.GetTimestamp();
        return (DisallowAll, null);
    }

    /// <summary>The body up to one byte past <see cref="RobotsTxt.MaxBytes"/>, so that the parser sees where it was cut.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[RobotsTxt.MaxBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return buffer.AsMemory(0, length);
    }
}
