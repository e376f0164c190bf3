using System.Globalization;

namespace Haul.TestServer;

/// <summary>Dispatches a request to the file route or one of the fixed routes.</summary>
internal static class Router
{
    public static ValueTask<ExchangeOutcome> RouteAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        if (request.Method is not ("GET" or "HEAD"))
        {
            return exchange.SendHtmlAsync(405, "Method Not Allowed", cancellationToken, head => head.Add("Allow", "GET, HEAD"));
        }

        var path = request.Path;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 0 ? segments[0] : string.Empty;
        switch (first)
        {
            case "files" when exchange.Context.Catalog.Find(path) is { } file:
                return FileResponder.RespondAsync(exchange, file, cancellationToken);
            case "status" when segments.Length >= 2
                && int.TryParse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 200 and <= 599:
                return code is 204 or 304 ? SendEmptyAsync(exchange, code, cancellationToken) : StatusFaults.SendStatusAsync(exchange, code, cancellationToken);
            case "softblock":
                return StatusFaults.SendSoftBlockAsync(exchange, cancellationToken);
            case "redirect" when segments.Length >= 2
                && int.TryParse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hops):
                return RedirectAsync(exchange, hops, string.Join('/', segments.Skip(2)), cancellationToken);
            case "loop" when segments.Length == 2 && segments[1] is "a" or "b":
                return SendRedirectAsync(exchange, segments[1] == "a" ? "/loop/b" : "/loop/a", cancellationToken);
            default:
                return exchange.SendHtmlAsync(404, "Not Found", cancellationToken);
        }
    }

    private static ValueTask<ExchangeOutcome> RedirectAsync(Exchange exchange, int hops, string rest, CancellationToken cancellationToken)
    {
        if (hops <= 0)
        {
            return SendRedirectAsync(exchange, "/" + rest, cancellationToken);
        }

        var target = "/redirect/" + (hops - 1).ToString(CultureInfo.InvariantCulture) + "/" + rest;

        // Odd hops use a path-absolute reference, even hops an absolute URL, so clients must resolve both.
        var location = hops % 2 == 1
            ? target
            : new Uri(exchange.Context.BaseUri, target).AbsoluteUri;
        return SendRedirectAsync(exchange, location, cancellationToken);
    }

    private static ValueTask<ExchangeOutcome> SendRedirectAsync(Exchange exchange, string location, CancellationToken cancellationToken) =>
        exchange.SendHtmlAsync(302, "Found", cancellationToken, head => head.Add("Location", location));

    private static async ValueTask<ExchangeOutcome> SendEmptyAsync(Exchange exchange, int status, CancellationToken cancellationToken)
    {
        await exchange.SendHeadAsync(new ResponseHead(status), cancellationToken);
        return exchange.KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
    }
}
