using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Haul.Engine;
using Microsoft.Extensions.Logging;

namespace Haul.Crawling;

/// <summary>
/// robots.txt of every origin a crawl touches, fetched once per run before the first request to that origin and shared
/// by every worker. A 4xx (but 429) means no rules; a 429, a 5xx or an unreachable host after a few tries means no rules
/// either, and is logged, so that one flaky file does not stop a crawl; a body over 500 KiB is read up to there.
/// </summary>
internal sealed class RobotsCache
{
    /// <summary>The most of a robots.txt that is read (RFC 9309 asks for at least 500 KiB).</summary>
    public const int MaxBytes = 500 * 1024;

    /// <summary>The product token Haul's group is found by.</summary>
    public const string ProductToken = "haul";

    private const int Tries = 3;

    private readonly ConcurrentDictionary<string, Lazy<Task<RobotsTxt>>> _byOrigin = new(StringComparer.Ordinal);
    private readonly HttpClient _client;
    private readonly HaulOptions _options;
    private readonly ILogger _logger;

    public RobotsCache(HttpClient client, HaulOptions options)
    {
        _client = client;
        _options = options;
        _logger = options.LoggerFactory.CreateLogger("Haul.Crawling");
    }

    /// <summary>The rules for Haul of <paramref name="url"/>'s origin, fetching its robots.txt the first time.</summary>
    public async Task<RobotsTxt> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var origin = url.GetLeftPart(UriPartial.Authority);
        var entry = _byOrigin.GetOrAdd(origin, key => new Lazy<Task<RobotsTxt>>(() => FetchAsync(new Uri(key + "/robots.txt"))));
        return await entry.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<RobotsTxt> FetchAsync(Uri robotsUrl)
    {
        string? problem = null;
        for (var attempt = 1; attempt <= Tries; attempt++)
        {
            // Not the caller's token: one fetch serves every worker, so one worker's cancellation must not fail it.
            using var deadline = new CancellationTokenSource(_options.ResponseHeadersTimeout + _options.StallTimeout, _options.TimeProvider);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, robotsUrl);
                request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return RobotsTxt.Parse(await ReadLimitedAsync(response, deadline.Token).ConfigureAwait(false));
                }

                if (status is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    return RobotsTxt.AllowAll;
                }

                problem = "HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
            {
                problem = exception.GetType().Name;
            }

            if (attempt < Tries)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), _options.TimeProvider).ConfigureAwait(false);
            }
        }

        Log.RobotsUnavailable(_logger, robotsUrl, problem ?? "unknown");
        return RobotsTxt.AllowAll;
    }

    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBytes];
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

        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
