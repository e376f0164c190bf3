using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using Haul.Engine;
using Haul.Journal;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Makes one attempt at an item: sends the request (resuming with Range and If-Range when a partial body is on disk),
/// follows redirects, and streams the body through the <see cref="VerifiedWriter"/>, each phase under its own deadline.
/// It never throws for a failure of the network, the server or the disk: it returns a classified
/// <see cref="AttemptOutcome"/>. Only the caller's cancellation escapes as an exception.
/// </summary>
internal sealed class ItemFetcher : IDisposable
{
    private readonly HaulOptions _options;
    private readonly HttpClient _pooled;
    private readonly HttpClient _fresh;
    private readonly IJobJournal _journal;
    private readonly JobProgress _progress;
    private readonly TimeProvider _time;

    public ItemFetcher(HaulOptions options, IJobJournal journal, JobProgress progress)
    {
        _options = options;
        _journal = journal;
        _progress = progress;
        _time = options.TimeProvider;
        var certificates = CertificateValidator.Create(options);
        _pooled = HttpClientFactory.CreatePooled(options, certificates);
        _fresh = HttpClientFactory.CreateFresh(options, certificates);
    }

    /// <summary>One attempt. <paramref name="itemToken"/> fires at the item's deadline or on the caller's cancellation.</summary>
    public async Task<AttemptOutcome> FetchAsync(FetchTarget target, CancellationToken itemToken)
    {
        var resumeFrom = PrepareResume(target);
        var url = target.Url;
        var visited = new HashSet<string>(StringComparer.Ordinal) { url.AbsoluteUri };
        var staleRetries = 0;
        while (true)
        {
            var client = staleRetries == 0 ? _pooled : _fresh;
            using var request = BuildRequest(url, target, resumeFrom);
            using var headersDeadline = new CancellationTokenSource(_options.ResponseHeadersTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(itemToken, headersDeadline.Token);
            HttpResponseMessage response;
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
                if (reason == FailureReason.ConnectionReset && client == _pooled && !failure.DuringHandshake)
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
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && status != 304)
                {
                    var next = NextLocation(url, response, visited, out var redirectFailure);
                    if (next is null)
                    {
                        return Failure(redirectFailure, resumeFrom, status);
                    }

                    url = next;
                    continue;
                }

                if (status is 200 or 206)
                {
                    return await ReceiveAsync(target, response, resumeFrom, itemToken).ConfigureAwait(false);
                }

                return FailureForStatus(target, response, resumeFrom);
            }
        }
    }

    public void Dispose()
    {
        _pooled.Dispose();
        _fresh.Dispose();
    }

    /// <summary>How many bytes of the partial file can be kept: all of them when a validator guards the resume, else none.</summary>
    private static long PrepareResume(FetchTarget target)
    {
        var part = new FileInfo(target.PartPath);
        if (!part.Exists)
        {
            return 0;
        }

        if (part.Length > 0 && target.HasValidator && (target.TotalSize is null || part.Length < target.TotalSize))
        {
            return part.Length;
        }

        part.Delete();
        return 0;
    }

    private HttpRequestMessage BuildRequest(Uri url, FetchTarget target, long resumeFrom)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        foreach (var header in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (resumeFrom > 0)
        {
            request.Headers.Range = new RangeHeaderValue(resumeFrom, null);

            // If-Range makes the server send the whole new file, not a range of it, when the file has changed.
            request.Headers.IfRange = target.ETag is not null
                ? new RangeConditionHeaderValue(new EntityTagHeaderValue(target.ETag))
                : new RangeConditionHeaderValue(target.LastModified!.Value);
        }

        return request;
    }

    private Uri? NextLocation(Uri current, HttpResponseMessage response, HashSet<string> visited, out FailureReason failure)
    {
        failure = FailureReason.None;
        if (response.Headers.Location is not { } location)
        {
            failure = FailureReason.UnexpectedStatus;
            return null;
        }

        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
        {
            failure = FailureReason.BadRedirect;
            return null;
        }

        if (!visited.Add(next.AbsoluteUri))
        {
            failure = FailureReason.RedirectLoop;
            return null;
        }

        if (visited.Count > _options.MaxRedirects + 1)
        {
            failure = FailureReason.TooManyRedirects;
            return null;
        }

        return next;
    }

    private AttemptOutcome FailureForStatus(FetchTarget target, HttpResponseMessage response, long resumeFrom)
    {
        var status = (int)response.StatusCode;
        var reason = status switch
        {
            429 => FailureReason.TooManyRequests,
            503 => FailureReason.ServiceUnavailable,
            408 => FailureReason.RequestTimeout,
            401 or 403 => FailureReason.Forbidden,
            404 => FailureReason.NotFound,
            410 => FailureReason.Gone,
            416 => FailureReason.RangeMismatch,
            >= 500 => FailureReason.ServerError,
            >= 400 => FailureReason.ClientError,
            _ => FailureReason.UnexpectedStatus,
        };

        if (reason == FailureReason.RangeMismatch)
        {
            // The partial file no longer fits the resource: start again from zero.
            DeletePart(target);
        }

        return Failure(reason, resumeFrom, status) with
        {
            RetryAfter = RetryAfter.Read(response.Headers.RetryAfter, _time.GetUtcNow()),
        };
    }

    private async Task<AttemptOutcome> ReceiveAsync(
        FetchTarget target, HttpResponseMessage response, long resumeFrom, CancellationToken itemToken)
    {
        var status = (int)response.StatusCode;
        var headers = response.Content.Headers;
        var etag = response.Headers.ETag is { IsWeak: false } tag ? tag.Tag : null;
        var lastModified = headers.LastModified;
        long offset;
        long? totalSize;
        if (status == 206)
        {
            var range = headers.ContentRange;
            var validatorChanged = (etag is not null && target.ETag is not null && etag != target.ETag)
                || (etag is null && lastModified is not null && target.LastModified is not null && lastModified != target.LastModified);
            if (range is not { HasRange: true, From: not null, Length: not null } || range.From != resumeFrom
                || (target.TotalSize is not null && range.Length != target.TotalSize) || validatorChanged)
            {
                DeletePart(target);
                return Failure(FailureReason.RangeMismatch, resumeFrom, status);
            }

            offset = resumeFrom;
            totalSize = range.Length;
        }
        else
        {
            // A 200 to a range request (server ignored Range, or If-Range saw a changed file) restarts from zero.
            offset = 0;
            totalSize = headers.ContentLength;
        }

        if (_options.MaxFileSize is { } max && totalSize > max)
        {
            return Failure(FailureReason.TooLarge, resumeFrom, status) with { GiveUp = true };
        }

        if (target.ETag != etag || target.LastModified != lastModified || target.TotalSize != totalSize)
        {
            target.ETag = etag;
            target.LastModified = lastModified;
            target.TotalSize = totalSize;
            _journal.Record(new ValidatorsSeen(target.ItemId, etag, lastModified?.ToString("r"), totalSize));
        }

        var expectBinary = ContentSniffer.ExpectsBinary(target.Url) || ContentSniffer.IsBinaryMediaType(headers.ContentType?.MediaType);

        VerifiedWriter writer;
        try
        {
            writer = await VerifiedWriter.OpenAsync(target.PartPath, offset, itemToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return Failure(FailureClassifier.ClassifyWrite(exception), resumeFrom, status) with { GiveUp = true };
        }

        await using (writer.ConfigureAwait(false))
        {
            var outcome = await CopyBodyAsync(response, writer, expectBinary, offset, itemToken).ConfigureAwait(false);
            var received = writer.Length - offset;
            if (outcome != FailureReason.None)
            {
                if (outcome is FailureReason.SoftBlock or FailureReason.TooLarge)
                {
                    await writer.DiscardAsync().ConfigureAwait(false);
                }

                return Failure(outcome, resumeFrom, status) with
                {
                    BytesReceived = received,
                    GiveUp = outcome is FailureReason.TooLarge or FailureReason.WriteError or FailureReason.DiskFull,
                };
            }

            if (totalSize is { } expected && writer.Length != expected)
            {
                return Failure(FailureReason.Truncated, resumeFrom, status) with { BytesReceived = received };
            }

            try
            {
                var sha256 = await writer.CompleteAsync(target.FinalPath, target.ExpectedSha256, itemToken).ConfigureAwait(false);
                if (sha256 is null)
                {
                    target.ForgetValidators();
                    return Failure(FailureReason.ChecksumMismatch, resumeFrom, status) with { BytesReceived = received };
                }

                return new AttemptOutcome
                {
                    Reason = FailureReason.None,
                    Status = status,
                    RangeStart = resumeFrom > 0 ? resumeFrom : null,
                    BytesReceived = received,
                    FileSize = writer.Length,
                    Sha256 = sha256,
                };
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return Failure(FailureClassifier.ClassifyWrite(exception), resumeFrom, status) with { GiveUp = true };
            }
        }
    }

    /// <summary>Streams the body into the writer with a stall deadline re-armed after every read and a speed floor.</summary>
    private async Task<FailureReason> CopyBodyAsync(
        HttpResponseMessage response, VerifiedWriter writer, bool expectBinary, long offset, CancellationToken itemToken)
    {
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(itemToken, stall.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(HaulDefaults.BufferSize);
        var sniffing = expectBinary && offset == 0;
        var windowStart = _time.GetTimestamp();
        long windowBytes = 0;
        try
        {
            stall.CancelAfter(_options.StallTimeout);
            using var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            while (true)
            {
                stall.CancelAfter(_options.StallTimeout);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (itemToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (OperationCanceledException) when (stall.IsCancellationRequested)
                {
                    return FailureReason.BodyStall;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    return FailureClassifier.ClassifyBody(exception);
                }

                if (read == 0)
                {
                    return sniffing && writer.Length > 0 && ContentSniffer.LooksLikePage(writer.Head) ? FailureReason.SoftBlock : FailureReason.None;
                }

                try
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read), itemToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    return FailureClassifier.ClassifyWrite(exception);
                }

                _progress.AddBytes(read);
                if (sniffing && writer.Length >= ContentSniffer.SniffLength)
                {
                    if (ContentSniffer.LooksLikePage(writer.Head))
                    {
                        return FailureReason.SoftBlock;
                    }

                    sniffing = false;
                }

                if (_options.MaxFileSize is { } max && writer.Length > max)
                {
                    return FailureReason.TooLarge;
                }

                windowBytes += read;
                var elapsed = _time.GetElapsedTime(windowStart);
                if (elapsed >= _options.LowSpeedTime)
                {
                    if (_options.LowSpeedLimit > 0 && windowBytes / elapsed.TotalSeconds < _options.LowSpeedLimit)
                    {
                        return FailureReason.LowSpeed;
                    }

                    windowStart = _time.GetTimestamp();
                    windowBytes = 0;
                }
            }
        }
        catch (OperationCanceledException) when (!itemToken.IsCancellationRequested && stall.IsCancellationRequested)
        {
            return FailureReason.BodyStall;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return FailureClassifier.ClassifyBody(exception);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void DeletePart(FetchTarget target)
    {
        target.ForgetValidators();
        try
        {
            File.Delete(target.PartPath);
        }
        catch (IOException)
        {
            // Left for the next attempt, which truncates it.
        }
    }

    private static AttemptOutcome Failure(FailureReason reason, long resumeFrom, int? status = null) => new()
    {
        Reason = reason,
        Status = status,
        RangeStart = resumeFrom > 0 ? resumeFrom : null,
    };
}
