using Haul.Engine;
using Haul.Fetching;

namespace Haul.Proxies;

/// <summary>
/// Sends each request the way <see cref="ProxyRouter"/> chooses for its URL, through that way's pooled client: for a
/// client that asks for many hosts, such as the crawl's robots.txt and sitemap reader, so that they leave as the
/// downloads do.
/// </summary>
internal sealed class ProxyRoutingHandler(HaulOptions options) : HttpMessageHandler
{
    private readonly ProxyRouter _routes = new(options, CertificateValidator.Create(options));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri ?? throw new InvalidOperationException("A request without a URL.");
        var route = _routes.Route(url, out _)
            ?? throw new HttpRequestException(HttpRequestError.ConnectionError, "every proxy is set aside");
        try
        {
            var response = await route.PooledInvoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            _routes.Report(route, FailureReason.None, null);
            return response;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            var failure = FailureClassifier.ClassifySend(exception);
            _routes.Report(route, failure.Reason, failure.Detail);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _routes.Dispose();
        }

        base.Dispose(disposing);
    }
}
