using System.Globalization;

namespace Haul.TestServer;

/// <summary>Error statuses and the soft-block page, for both injected faults and the fixed routes.</summary>
internal static class StatusFaults
{
    public const string SoftBlockHtml =
        "<!DOCTYPE html>\n<html><head><title>Just a moment...</title></head>"
        + "<body><h1>Please verify you are human</h1><p>Complete the check to continue.</p></body></html>\n";

    public static ValueTask<ExchangeOutcome> SendAsync(Exchange exchange, FaultKind kind, CancellationToken cancellationToken)
    {
        var retryAfter = exchange.Context.Options.RetryAfterSeconds;
        return kind switch
        {
            FaultKind.TooManyRequestsSeconds => SendStatusAsync(exchange, 429, cancellationToken),
            FaultKind.TooManyRequestsDate => exchange.SendHtmlAsync(429, "Too Many Requests", cancellationToken, head =>
                head.Add("Retry-After", HttpDate.Format(exchange.Context.Time.GetUtcNow().AddSeconds(retryAfter)))),
            FaultKind.ServiceUnavailable => SendStatusAsync(exchange, 503, cancellationToken),
            FaultKind.InternalServerError => SendStatusAsync(exchange, 500, cancellationToken),
            FaultKind.BadGateway => SendStatusAsync(exchange, 502, cancellationToken),
            FaultKind.GatewayTimeout => SendStatusAsync(exchange, 504, cancellationToken),
            _ => SendSoftBlockAsync(exchange, cancellationToken),
        };
    }

    /// <summary>A status with a small HTML body; 429 and 503 carry Retry-After in seconds.</summary>
    public static ValueTask<ExchangeOutcome> SendStatusAsync(Exchange exchange, int status, CancellationToken cancellationToken)
    {
        var retryAfter = exchange.Context.Options.RetryAfterSeconds;
        var title = "Status " + status.ToString(CultureInfo.InvariantCulture);
        return exchange.SendHtmlAsync(status, title, cancellationToken, head =>
        {
            if (status is 429 or 503)
            {
                head.Add("Retry-After", retryAfter);
            }
        });
    }

    public static ValueTask<ExchangeOutcome> SendSoftBlockAsync(Exchange exchange, CancellationToken cancellationToken) =>
        exchange.SendTextAsync(new ResponseHead(200).Add("Cache-Control", "no-store"), "text/html; charset=utf-8", SoftBlockHtml, cancellationToken);
}
