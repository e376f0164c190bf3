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

        if (exchange.Context.Gallery is { } gallery && GalleryResponder.TryRoute(exchange, gallery, cancellationToken, out var galleryResponse))
        {
            return galleryResponse;
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
                // A trailing slash is part of the target ("/redirect/1/gallery/" ends at "/gallery/").
                return RedirectAsync(exchange, hops, string.Join('/', segments.Skip(2)) + (path.EndsWith('/') && segments.Length > 2 ? "/" : string.Empty), cancellationToken);
            case "redirect-to" when segments.Length == 1:
                return RedirectToAsync(exchange, cancellationToken);
            case EncodedResponder.Prefix when segments.Length >= 3 && EncodedResponder.IsCoding(segments[1])
                && exchange.Context.Catalog.Find("/" + string.Join('/', segments.Skip(2))) is { } encoded:
                return EncodedResponder.RespondAsync(exchange, encoded, segments[1], cancellationToken);
            case AuthResponder.Prefix when AuthResponder.TryRoute(exchange, segments, cancellationToken, out var authResponse):
                return authResponse;
            case CookieResponder.Prefix when segments.Length == 2 && segments[1] == "set":
                return CookieResponder.RespondAsync(exchange, cancellationToken);
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

    /// <summary><c>/redirect-to?url=ABSOLUTE_URL[&amp;status=301|302|303|307|308]</c>: a redirect to any origin, 302 by default.</summary>
    private static ValueTask<ExchangeOutcome> RedirectToAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var url = request.QueryParameter("url");
        // Any scheme is allowed so clients can be tested on redirects they must refuse; a bare path is not absolute
        // (Uri reads "/x" as a file URL on Unix), and control characters would break the header.
        if (url is null || url.StartsWith('/') || !Uri.TryCreate(url, UriKind.Absolute, out _) || url.Any(c => c < ' ' || c is '\x7F' or > '\xFF'))
        {
            return exchange.SendHtmlAsync(400, "Bad Request", cancellationToken);
        }

        var status = 302;
        if (request.QueryParameter("status") is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out status) || status is not (301 or 302 or 303 or 307 or 308)))
        {
            return exchange.SendHtmlAsync(400, "Bad Request", cancellationToken);
        }

        return SendRedirectAsync(exchange, url, cancellationToken, status);
    }

    private static ValueTask<ExchangeOutcome> SendRedirectAsync(Exchange exchange, string location, CancellationToken cancellationToken, int status = 302) =>
        exchange.SendHtmlAsync(status, status == 302 ? "Found" : "Redirect", cancellationToken, head => head.Add("Location", location));

    private static async ValueTask<ExchangeOutcome> SendEmptyAsync(Exchange exchange, int status, CancellationToken cancellationToken)
    {
        await exchange.SendHeadAsync(new ResponseHead(status), cancellationToken);
        return exchange.KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
    }
}
