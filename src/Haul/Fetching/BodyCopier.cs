using System.Buffers;
using Haul.Engine;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Streams a body into a <see cref="VerifiedWriter"/> through a pooled buffer, with a stall deadline re-armed after
/// every read (.NET has no read timeout on a response stream), a minimum speed over a window, the size limit, and the
/// soft-block sniff of the first bytes.
/// </summary>
internal sealed class BodyCopier
{
    private readonly HaulOptions _options;
    private readonly JobProgress _progress;
    private readonly TimeProvider _time;

    public BodyCopier(HaulOptions options, JobProgress progress)
    {
        _options = options;
        _progress = progress;
        _time = options.TimeProvider;
    }

    /// <summary>Copies until the body ends; <see cref="FailureReason.None"/> when it ended cleanly.</summary>
    /// <param name="openBody">Opens the body stream (decoded, where the response was encoded).</param>
    /// <param name="writer">Where the bytes go.</param>
    /// <param name="sniff">Whether to check the first bytes for a page where a binary file was expected.</param>
    /// <param name="maxBytes">The most the body may hold; null for no limit.</param>
    /// <param name="itemToken">The item's deadline and the caller's cancellation; both escape as exceptions.</param>
    public async Task<ClassifiedFailure> CopyAsync(
        Func<CancellationToken, Task<Stream>> openBody, VerifiedWriter writer, bool sniff, long? maxBytes, CancellationToken itemToken)
    {
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(itemToken, stall.Token);
        var buffer = ArrayPool<byte>.Shared.Rent(HaulDefaults.BufferSize);
        var windowStart = _time.GetTimestamp();
        long windowBytes = 0;
        try
        {
            stall.CancelAfter(_options.StallTimeout);
            using var body = await openBody(linked.Token).ConfigureAwait(false);
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
                    return new(FailureReason.BodyStall);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    return FailureClassifier.ClassifyBody(exception);
                }

                if (read == 0)
                {
                    return new(sniff && writer.Length > 0 && ContentSniffer.LooksLikePage(writer.Head) ? FailureReason.SoftBlock : FailureReason.None);
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
                if (sniff && writer.Length >= ContentSniffer.SniffLength)
                {
                    if (ContentSniffer.LooksLikePage(writer.Head))
                    {
                        return new(FailureReason.SoftBlock);
                    }

                    sniff = false;
                }

                if (maxBytes is { } max && writer.Length > max)
                {
                    return new(FailureReason.TooLarge);
                }

                windowBytes += read;
                var elapsed = _time.GetElapsedTime(windowStart);
                if (elapsed >= _options.LowSpeedTime)
                {
                    if (_options.LowSpeedLimit > 0 && windowBytes / elapsed.TotalSeconds < _options.LowSpeedLimit)
                    {
                        return new(FailureReason.LowSpeed);
                    }

                    windowStart = _time.GetTimestamp();
                    windowBytes = 0;
                }
            }
        }
        catch (OperationCanceledException) when (!itemToken.IsCancellationRequested && stall.IsCancellationRequested)
        {
            return new(FailureReason.BodyStall);
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
}
