namespace Haul.TestServer;

/// <summary>
/// Serves the gallery's routes: <c>/robots.txt</c> (always cleanly, since a failed robots.txt would let a correct
/// crawl into <c>/private/</c>), pages and images through <see cref="FileResponder"/> so the server's faults, ranges
/// and validators apply to them as to <c>/files/</c>, and the hotlink folder <c>/protected/</c>, which answers 403
/// unless the Referer is a URL of this server.
/// </summary>
internal static class GalleryResponder
{
    public const string ProtectedPrefix = "/protected/";

    public static bool TryRoute(Exchange exchange, GallerySite gallery, CancellationToken cancellationToken, out ValueTask<ExchangeOutcome> response)
    {
        var request = exchange.Request;
        var path = request.Path;
        if (path == "/robots.txt")
        {
            response = exchange.SendTextAsync(new ResponseHead(200), "text/plain; charset=utf-8", gallery.Robots, cancellationToken);
            return true;
        }

        if (gallery.Images.Find(path) is { } image)
        {
            response = path.StartsWith(ProtectedPrefix, StringComparison.Ordinal) && !RefersFromHere(exchange)
                ? exchange.SendHtmlAsync(403, "Forbidden", cancellationToken)
                : FileResponder.RespondAsync(exchange, image, cancellationToken);
            return true;
        }

        if (gallery.FindPage(path, request.Query) is { } page)
        {
            response = FileResponder.RespondAsync(exchange, page, cancellationToken);
            return true;
        }

        response = default;
        return false;
    }

    private static bool RefersFromHere(Exchange exchange) =>
        exchange.Request.Header("Referer") is { } referer
        && referer.StartsWith(exchange.Context.BaseUri.AbsoluteUri, StringComparison.OrdinalIgnoreCase);
}
