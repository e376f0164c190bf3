using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Haul.Engine;
using Haul.Identity;
using Haul.Input;
using Haul.Journal;
using Haul.Proxies;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Makes one attempt at an item: sends the request (resuming with Range and If-Range when a partial body is on disk),
/// follows redirects, and streams the body, decoded where the server encoded it, through a <see cref="VerifiedWriter"/>
/// into the item's partial file, each phase under its own deadline. A successful attempt leaves a verified, closed
/// partial file for the caller to place. It never throws for a failure of the network, the server or the disk: it
/// returns a classified <see cref="AttemptOutcome"/>. Only the caller's cancellation and the item's deadline escape as
/// exceptions.
/// </summary>
internal sealed class ItemFetcher : IDisposable
{
    private readonly HaulOptions _options;
    private readonly ProxyRouter _routes;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;
    private readonly BodyCopier _copier;
    private readonly TimeProvider _time;
    private readonly HostReadStats _readStats;
    private readonly CookieJar? _cookies;
    private readonly HttpAuthenticator _authenticator;

    /// <param name="options">The job's options.</param>
    /// <param name="journal">Where validators are recorded.</param>
    /// <param name="progress">The live counters.</param>
    /// <param name="readStats">The hosts' read statistics that set their stall deadlines; null for the fetcher's own.</param>
    /// <param name="identity">The job's cookie jar and credentials; null for none.</param>
    public ItemFetcher(HaulOptions options, IJobJournal journal, JobProgress progress, HostReadStats? readStats = null, JobIdentity? identity = null)
    {
        identity ??= JobIdentity.None;
        _cookies = identity.Cookies;
        _authenticator = identity.Authenticator;
        _options = options;
        _readStats = readStats ?? new HostReadStats(options.StallTimeout);
        _journal = journal;
        _progress = progress;
        _time = options.TimeProvider;
        _copier = new BodyCopier(options, progress);
        var certificates = CertificateValidator.Create(options);
        _routes = new ProxyRouter(options, certificates);
    }

    /// <summary>One attempt. <paramref name="itemToken"/> fires at the item's deadline or on the caller's cancellation.</summary>
    public async Task<AttemptOutcome> FetchAsync(FetchTarget target, CancellationToken itemToken)
    {
        var resumeFrom = target.PrepareResume();
        var url = target.CurrentUrl;
        var visited = target.Visited;
        visited.Add(url.AbsoluteUri);
        var staleRetries = 0;
        var authRetries = 0;
        while (true)
        {
            if (_routes.Route(url, out var proxyWait) is not { } route)
            {
                // Every proxy of the list is set aside: the item waits for the first to come back, within its budget,
                // and this costs it no attempt.
                return Failure(FailureReason.ProxyFailed, resumeFrom) with { Detail = "every proxy is set aside", RetryAfter = proxyWait, Uncounted = true };
            }

            var client = staleRetries == 0 ? route.Pooled : route.Fresh;
            using var request = RequestFactory.Create(_options, url, target, resumeFrom, _cookies);
            _authenticator.Apply(request, url, target.CredentialOrigin);
            var sentAuthorization = request.Headers.Contains("Authorization");
            using var headersDeadline = new CancellationTokenSource(_options.ResponseHeadersTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(itemToken, headersDeadline.Token);
            HttpResponseMessage response;
            var sent = _time.GetTimestamp();
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (itemToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException) when (headersDeadline.IsCancellationRequested)
            {
                return Failure(FailureReason.HeadersTimeout, resumeFrom);
            }
            catch (Exception exception)
            {
                var failure = FailureClassifier.ClassifySend(exception);
                var reason = failure.Reason;
                _routes.Report(route, reason, failure.Detail);
                if (reason == FailureReason.ProxyFailed)
                {
                    // Wrong or missing credentials do not get better by asking the same proxy again.
                    // With a list another proxy takes the item, so this costs it no try; a single proxy's failures are
                    // the item's tries like any other.
                    return Failure(reason, resumeFrom) with
                    {
                        Detail = failure.Detail,
                        GiveUp = failure.ProxyAuthentication && !_routes.Rotates,
                        Uncounted = _routes.Rotates,
                    };
                }

                if (reason == FailureReason.ConnectionReset && client == route.Pooled && !failure.DuringHandshake)
                {
                    // Reset before any response byte on a pooled connection: the stale keep-alive race. Sent again at
                    // once on a fresh connection; this costs no attempt and no backoff. A reset during a TLS handshake
                    // happened on a new connection, so it is an ordinary reset.
                    reason = FailureReason.StaleConnection;
                }

                if (reason == FailureReason.StaleConnection && staleRetries < _options.MaxStaleRetries)
                {
                    staleRetries++;
                    _progress.Retry(FailureReason.StaleConnection);
                    continue;
                }

                return Failure(reason, resumeFrom) with { Detail = failure.Detail };
            }

            using (response)
            {
                // Every response feeds the jar, redirect hops and errors included.
                _cookies?.Receive(url, response);
                var status = (int)response.StatusCode;
                if (status == 407 && route.Proxy is { } proxy)
                {
                    // The proxy, not the host, wants credentials (or refused them).
                    var detail = $"proxy {proxy.Address}: " + (proxy.HasCredentials ? "the proxy refused the credentials (407)" : "the proxy asks for credentials (407)");
                    _routes.Report(route, FailureReason.ProxyFailed, detail);
                    return Failure(FailureReason.ProxyFailed, resumeFrom, status) with { Detail = detail, GiveUp = !_routes.Rotates, Uncounted = _routes.Rotates };
                }

                _routes.Report(route, FailureReason.None, null);

                // A 401 that asks for a credential the item's origin has: the hop again, with the answer (once more
                // for a Digest nonce gone stale). It costs no attempt.
                if (status == 401 && authRetries < 2 && _authenticator.Challenge(url, target.CredentialOrigin, response, sentAuthorization))
                {
                    authRetries++;
                    continue;
                }

                if (Redirects.IsRedirect(status))
                {
                    var next = Redirects.NextLocation(url, response, visited, _options.MaxRedirects, out var redirectFailure);
                    if (next is null)
                    {
                        return Failure(redirectFailure, resumeFrom, status);
                    }

                    // Another host: the chain goes on under that host's limits, in its queue. A crawl's page hands
                    // every redirect back, so that its target is checked against the scope and robots.txt and read with
                    // its own URL as the base of its links.
                    target.CurrentUrl = next;
                    if (target.Kind == ItemKind.Page || UrlNormalizer.HostKey(next) != UrlNormalizer.HostKey(url))
                    {
                        return Failure(FailureReason.None, resumeFrom, status) with { RedirectTo = next };
                    }

                    url = next;
                    continue;
                }

                if (status is 200 or 206)
                {
                    var headersTime = _time.GetElapsedTime(sent);
                    var received = await ReceiveAsync(target, url, response, resumeFrom, headersTime, itemToken).ConfigureAwait(false);
                    return IsSlow(url, headersTime) ? received with { SlowResponse = true } : received;
                }

                return FailureForStatus(target, response, resumeFrom);
            }
        }
    }

    public void Dispose()
    {
        _copier.Dispose();
        _routes.Dispose();
    }

    private AttemptOutcome FailureForStatus(FetchTarget target, HttpResponseMessage response, long resumeFrom)
    {
        var status = (int)response.StatusCode;
        var reason = StatusClassifier.Classify(status);

        if (reason == FailureReason.RangeMismatch)
        {
            // The partial file no longer fits the resource: start again from zero.
            target.DeletePart();
        }

        return Failure(reason, resumeFrom, status) with
        {
            RetryAfter = RetryAfter.Read(response.Headers.RetryAfter, _time.GetUtcNow()),
        };
    }

    private async Task<AttemptOutcome> ReceiveAsync(
        FetchTarget target, Uri url, HttpResponseMessage response, long resumeFrom, TimeSpan headersTime, CancellationToken itemToken)
    {
        var status = (int)response.StatusCode;
        var headers = response.Content.Headers;
        if (ResponseBody.ContentLengthProblem(headers) is { } lengthProblem)
        {
            return Failure(FailureReason.ProtocolError, resumeFrom, status) with { Detail = lengthProblem };
        }

        // A content-coded body (gzip, deflate, br) is decoded before it is verified and saved. Its validators and
        // length describe the encoded bytes, so it can only ever be fetched whole.
        var encoded = !ContentDecoding.IsIdentity(headers.ContentEncoding);
        if (encoded && headers.ContentLength is null && response.Headers.TransferEncodingChunked != true && response.Version.Major < 2)
        {
            // Decoders take a cut-short stream for a whole one, so a coded HTTP/1.x body must be framed (a length, or
            // chunks) for its end to be known; HTTP/2 frames every body and marks its end.
            return Failure(FailureReason.ProtocolError, resumeFrom, status) with { Detail = "a content-coded body without Content-Length or chunked framing cannot be checked for truncation" };
        }
        var etag = encoded ? null : response.Headers.ETag is { IsWeak: false } tag ? tag.Tag : null;
        var lastModified = encoded ? null : headers.LastModified;
        long offset;
        long? totalSize;
        if (status == 206)
        {
            var range = headers.ContentRange;
            var validatorChanged = (etag is not null && target.ETag is not null && etag != target.ETag)
                || (etag is null && lastModified is not null && target.LastModified is not null && lastModified != target.LastModified);
            if (encoded || range is not { HasRange: true, From: not null, Length: not null } || range.From != resumeFrom
                || (target.TotalSize is not null && range.Length != target.TotalSize) || validatorChanged)
            {
                target.DeletePart();
                return Failure(FailureReason.RangeMismatch, resumeFrom, status);
            }

            offset = resumeFrom;
            totalSize = range.Length;
        }
        else
        {
            // A 200 to a range request (server ignored Range, or If-Range saw a changed file) restarts from zero.
            offset = 0;
            totalSize = encoded ? null : headers.ContentLength;
        }

        var maxBytes = target.MaxBytes ?? _options.MaxFileSize;
        if (maxBytes is { } max && totalSize > max)
        {
            return Failure(FailureReason.TooLarge, resumeFrom, status) with { GiveUp = true, Detail = $"{totalSize} bytes, more than the limit of {max}" };
        }

        if (target.MinBytes is { } min && totalSize < min)
        {
            // Known from the headers: not worth its body.
            return Failure(FailureReason.TooSmall, resumeFrom, status) with { GiveUp = true, Detail = $"{totalSize} bytes, less than {min}" };
        }

        var sniff = offset == 0 && (ContentSniffer.ExpectsBinary(target.Url) || ContentSniffer.IsBinaryMediaType(headers.ContentType?.MediaType));
        VerifiedWriter writer;
        try
        {
            writer = await VerifiedWriter.OpenAsync(target.PartPath, offset, itemToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
            return Failure(reason, resumeFrom, status) with { Detail = detail, GiveUp = true };
        }

        // Recorded only now that the partial file holds nothing but bytes these validators describe: a crash before
        // the truncation must not leave old bytes under new validators.
        if (target.ETag != etag || target.LastModified != lastModified || target.TotalSize != totalSize)
        {
            target.ETag = etag;
            target.LastModified = lastModified;
            target.TotalSize = totalSize;
            _journal.Record(new ValidatorsSeen(target.ItemId, etag, lastModified?.ToString("r", CultureInfo.InvariantCulture), totalSize, target.LeaseToken));
        }

        await using (writer.ConfigureAwait(false))
        {
            // A body that stalls past its host's norm is hedged when a range can continue it safely: a validator to
            // send as If-Range and a known length to check the answer against.
            var hostKey = UrlNormalizer.HostKey(url);
            Func<long, CancellationToken, Task<Stream?>>? openHedge = !encoded && totalSize is { } total && (etag is not null || lastModified is not null)
                ? (from, token) => OpenHedgeAsync(target, url, from, total, etag, lastModified, token)
                : null;
            var copy = await _copier.CopyAsync(
                token => ResponseBody.OpenAsync(response, token), writer, sniff, maxBytes, _readStats.StallDeadline(hostKey), openHedge, itemToken).ConfigureAwait(false);
            var (outcome, outcomeDetail, _) = copy.Failure;
            var received = writer.Length - offset;
            if (outcome == FailureReason.None && copy.HedgesWon == 0)
            {
                // A clean body, or one whose own reads outran its hedges: what it showed is the host's pace.
                _readStats.Record(hostKey, copy.LongestRead > headersTime ? copy.LongestRead : headersTime);
            }

            if (outcome == FailureReason.BodyStall)
            {
                // Not even a new connection got past the stall: the host is slower than its deadline says.
                _readStats.Stalled(hostKey);
            }

            if (outcome != FailureReason.None)
            {
                if (outcome is FailureReason.SoftBlock or FailureReason.TooLarge || encoded)
                {
                    // Nothing of it can be kept: a page, a body over the limit, or decoded bytes no range can continue.
                    await writer.DiscardAsync().ConfigureAwait(false);
                }

                return Failure(outcome, resumeFrom, status) with
                {
                    Hedges = copy.Hedges,
                    HedgesWon = copy.HedgesWon,
                    Detail = outcome == FailureReason.TooLarge && outcomeDetail is null ? $"more than the limit of {maxBytes} bytes" : outcomeDetail,
                    BytesReceived = received,
                    GiveUp = outcome is FailureReason.TooLarge or FailureReason.WriteError or FailureReason.DiskFull or FailureReason.UnsafePath or FailureReason.PathTooLong,
                };
            }

            if (totalSize is { } expected && writer.Length != expected)
            {
                return Failure(FailureReason.Truncated, resumeFrom, status) with { BytesReceived = received, Hedges = copy.Hedges, HedgesWon = copy.HedgesWon };
            }

            try
            {
                var sha256 = await writer.FinishAsync(target.ExpectedSha256, itemToken).ConfigureAwait(false);
                if (sha256 is null)
                {
                    // The same wrong bytes twice: the server's file is not the one the input names, and trying again
                    // cannot change that.
                    var again = string.Equals(target.LastMismatch, writer.Sha256, StringComparison.Ordinal);
                    target.LastMismatch = writer.Sha256;
                    target.ForgetValidators();
                    return Failure(FailureReason.ChecksumMismatch, resumeFrom, status) with
                    {
                        BytesReceived = received,
                        Detail = $"expected sha256 {target.ExpectedSha256}, got {writer.Sha256}",
                        GiveUp = again,
                    };
                }

                return new AttemptOutcome
                {
                    Reason = FailureReason.None,
                    Status = status,
                    RangeStart = resumeFrom > 0 ? resumeFrom : null,
                    BytesReceived = received,
                    FileSize = writer.Length,
                    Sha256 = sha256,
                    ContentType = headers.ContentType?.MediaType,
                    Hedges = copy.Hedges,
                    HedgesWon = copy.HedgesWon,
                };
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
                return Failure(reason, resumeFrom, status) with { Detail = detail, GiveUp = true };
            }
        }
    }

    /// <summary>
    /// Whether headers that took <paramref name="headersTime"/> came far later than the host's norm: past half its
    /// adaptive stall deadline (its usual longest silence plus four deviations, and at least a second), once the host
    /// is known. The host's controller takes it as a sign of overload.
    /// </summary>
    private bool IsSlow(Uri url, TimeSpan headersTime)
    {
        var host = UrlNormalizer.HostKey(url);
        return _readStats.Samples(host) >= HostReadStats.MinSamples && headersTime > _readStats.StallDeadline(host) / 2;
    }

    /// <summary>
    /// A hedge: the rest of a stalled body, from <paramref name="from"/>, asked for on a new connection with
    /// <c>Range</c> and <c>If-Range</c>. Its body is returned only when the answer continues exactly the bytes the file
    /// holds: a 206 from that offset to the end, of the same total, under the same validator, not content-coded. Its
    /// headers get the host's stall deadline, since the stalled attempt waits for them.
    /// </summary>
    private async Task<Stream?> OpenHedgeAsync(
        FetchTarget target, Uri url, long from, long total, string? etag, DateTimeOffset? lastModified, CancellationToken cancellationToken)
    {
        if (_routes.Route(url, out _) is not { } route)
        {
            return null;
        }

        // The same way out, cookies and credentials as the stalled request: only the connection is new.
        using var request = RequestFactory.Create(_options, url, target, from, _cookies);
        _authenticator.Apply(request, url, target.CredentialOrigin);
        request.Headers.Range = new RangeHeaderValue(from, null);
        request.Headers.IfRange = etag is not null ? new RangeConditionHeaderValue(new EntityTagHeaderValue(etag)) : new RangeConditionHeaderValue(lastModified!.Value);
        var deadline = _readStats.StallDeadline(UrlNormalizer.HostKey(url));
        using var headersDeadline = new CancellationTokenSource(deadline < _options.ResponseHeadersTimeout ? deadline : _options.ResponseHeadersTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, headersDeadline.Token);
        HttpResponseMessage? response = null;
        try
        {
            response = await route.Fresh.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var headers = response.Content.Headers;
            var sameValidator = etag is not null
                ? response.Headers.ETag is { IsWeak: false } tag && tag.Tag == etag
                : headers.LastModified == lastModified;
            if (response.StatusCode != HttpStatusCode.PartialContent || !sameValidator
                || headers.ContentRange is not { HasRange: true, From: { } start, To: { } end, Length: { } length }
                || start != from || end != total - 1 || length != total
                || !ContentDecoding.IsIdentity(headers.ContentEncoding) || ResponseBody.ContentLengthProblem(headers) is not null)
            {
                return null;
            }

            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            response = null;
            return body;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            return null;
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static AttemptOutcome Failure(FailureReason reason, long resumeFrom, int? status = null) => new()
    {
        Reason = reason,
        Status = status,
        RangeStart = resumeFrom > 0 ? resumeFrom : null,
    };
}
