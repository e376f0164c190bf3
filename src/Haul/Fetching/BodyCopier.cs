using System.Buffers;
using Haul.Engine;
using Haul.Writing;

namespace Haul.Fetching;

/// <summary>
/// Streams a body into a <see cref="VerifiedWriter"/> through a pooled buffer (64 KiB, growing up to 1 MiB while reads
/// keep filling it), with a stall deadline re-armed before
/// every read (.NET has no read timeout on a response stream; <see cref="BodyRace"/>, which also hedges a body that can
/// be resumed), a minimum speed over a window, the job's bandwidth limit, the size limit, and the soft-block sniff of
/// the first bytes. Time spent held back by the bandwidth limit counts neither as a stall nor against the speed.
/// </summary>
internal sealed class BodyCopier : IDisposable
{
    private readonly HaulOptions _options;
    private readonly JobProgress _progress;
    private readonly TimeProvider _time;
    private readonly BandwidthLimit? _limit;

    public BodyCopier(HaulOptions options, JobProgress progress)
    {
        _options = options;
        _progress = progress;
        _time = options.TimeProvider;
        _limit = options.MaxBytesPerSecond is { } rate ? new BandwidthLimit(rate, _time) : null;
    }

    /// <summary>Copies until the body ends; <see cref="FailureReason.None"/> when it ended cleanly.</summary>
    /// <param name="openBody">Opens the body stream (decoded, where the response was encoded).</param>
    /// <param name="writer">Where the bytes go.</param>
    /// <param name="sniff">Whether to check the first bytes for a page where a binary file was expected.</param>
    /// <param name="maxBytes">The most the body may hold; null for no limit.</param>
    /// <param name="stallDeadline">The longest a read may wait for a byte.</param>
    /// <param name="openHedge">Opens the rest of the body from an offset on a new connection (see <see cref="BodyRace"/>); null when it cannot be resumed safely.</param>
    /// <param name="itemToken">The item's deadline and the caller's cancellation; both escape as exceptions.</param>
    public async Task<BodyCopy> CopyAsync(
        Func<CancellationToken, Task<Stream>> openBody, VerifiedWriter writer, bool sniff, long? maxBytes,
        TimeSpan stallDeadline, Func<long, CancellationToken, Task<Stream?>>? openHedge, CancellationToken itemToken)
    {
        var race = new BodyRace(_time, stallDeadline, openHedge, itemToken);
        await using (race.ConfigureAwait(false))
        {
            var failure = await CopyAsync(race, openBody, writer, sniff, maxBytes, itemToken).ConfigureAwait(false);
            if (race.Hedges > 0)
            {
                _progress.Hedged(race.Hedges, race.HedgesWon);
            }

            return new BodyCopy(failure, race.Hedges, race.HedgesWon, race.LongestRead);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _limit?.Dispose();

    private async Task<ClassifiedFailure> CopyAsync(
        BodyRace race, Func<CancellationToken, Task<Stream>> openBody, VerifiedWriter writer, bool sniff, long? maxBytes, CancellationToken itemToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HaulDefaults.BufferSize);
        var chunk = _limit is null ? buffer.Length : Math.Min(buffer.Length, _limit.MaxChunk);
        var windowStart = _time.GetTimestamp();
        long windowBytes = 0;
        Stream? body = null;
        try
        {
            body = await openBody(itemToken).ConfigureAwait(false);
            while (true)
            {
                race.BeginRead(writer.Length);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, chunk), race.ReadToken).ConfigureAwait(false);
                }
                catch (Exception exception)
                {
                    if (await race.TakeHedgeAsync(writer.Length).ConfigureAwait(false) is { } hedge)
                    {
                        // The hedge won: its body continues at the bytes the file holds.
                        await body.DisposeAsync().ConfigureAwait(false);
                        body = hedge;
                        continue;
                    }

                    if (exception is OperationCanceledException)
                    {
                        if (itemToken.IsCancellationRequested)
                        {
                            throw;
                        }

                        if (race.Stalled)
                        {
                            return new(FailureReason.BodyStall);
                        }
                    }

                    return FailureClassifier.ClassifyBody(exception);
                }

                await race.EndReadAsync().ConfigureAwait(false);
                if (read == 0)
                {
                    _progress.AddBytes(body is ExpansionGuardStream ended ? ended.TakeWireBytes() : 0);
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

                // A decoded body counts the bytes that came over the wire, not those it expanded to.
                _progress.AddBytes(body is ExpansionGuardStream guarded ? guarded.TakeWireBytes() : read);
                if (read == chunk && _limit is null && buffer.Length < HaulDefaults.MaxBufferSize)
                {
                    // The body comes faster than it is read: larger reads take fewer system calls and wake-ups. Its
                    // bytes are written, so the buffer can change.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, HaulDefaults.MaxBufferSize));
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    chunk = buffer.Length;
                }

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

                if (_limit is not null)
                {
                    // Held back by our own limit: neither the server's stall nor its slowness, so the speed window
                    // moves on by the wait.
                    var waitStart = _time.GetTimestamp();
                    await _limit.WaitAsync(read, itemToken).ConfigureAwait(false);
                    windowStart += _time.GetTimestamp() - waitStart;
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
        catch (OperationCanceledException) when (!itemToken.IsCancellationRequested && race.Stalled)
        {
            return new(FailureReason.BodyStall);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return FailureClassifier.ClassifyBody(exception);
        }
        finally
        {
            if (body is not null)
            {
                await body.DisposeAsync().ConfigureAwait(false);
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
