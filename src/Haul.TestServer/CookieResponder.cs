namespace Haul.TestServer;

/// <summary>
/// <c>/cookies/set?c=SET-COOKIE[&amp;c=…][&amp;then=URL]</c>: answers with each <c>c</c> as a <c>Set-Cookie</c> header
/// verbatim (attributes included), then a 302 to <c>then</c>, or a short <c>text/plain</c> body without it. What the
/// client sends back is in the request log (<see cref="RequestRecord.Cookie"/>).
/// </summary>
internal static class CookieResponder
{
    public const string Prefix = "cookies";

    public static ValueTask<ExchangeOutcome> RespondAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var cookies = request.QueryParameters("c");
        if (cookies.Any(c => c.Any(ch => ch < ' ' || ch is '\x7F' or > '\xFF')))
        {
            return exchange.SendHtmlAsync(400, "Bad Request", cancellationToken);
        }

        var then = request.QueryParameter("then");
        var head = new ResponseHead(then is null ? 200 : 302);
        foreach (var cookie in cookies)
        {
            head.Add("Set-Cookie", cookie);
        }

        if (then is not null)
        {
            if (then.Any(ch => ch < ' ' || ch is '\x7F' or > '\xFF'))
            {
                return exchange.SendHtmlAsync(400, "Bad Request", cancellationToken);
            }

            head.Add("Location", then);
        }

        return exchange.SendTextAsync(head, "text/plain; charset=utf-8", "cookies set\n", cancellationToken);
    }
}
