using System.Net.Http.Headers;

namespace Haul.Fetching;

/// <summary>Reads a Retry-After header in either of its forms: seconds, or an HTTP-date.</summary>
internal static class RetryAfter
{
    public static TimeSpan? Read(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
