namespace Haul.TestServer;

/// <summary>
/// A token bucket shared by all clients, as a site's front end keeps one (nginx's <c>limit_req</c> with <c>burst</c> and
/// <c>nodelay</c>): a request that finds the bucket empty is answered <c>429</c> with <c>Retry-After</c>.
/// </summary>
/// <param name="RequestsPerSecond">The rate the bucket refills at: the requests a second the site allows over time.</param>
/// <param name="Burst">The bucket's size: requests allowed at once above the rate.</param>
/// <param name="RetryAfterSeconds">Seconds announced in the 429's Retry-After.</param>
public sealed record RateLimitOptions(double RequestsPerSecond, int Burst, int RetryAfterSeconds = 1);
