using System.Buffers;
using System.Globalization;
using System.Text;

namespace Haul.TestServer;

/// <summary>Serves a file request: ranges, conditional ranges and the fault chosen for it.</summary>
internal static class FileResponder
{
    // Lets loopback deliver what was written before a reset discards the send queue.
    private static readonly TimeSpan ResetSettle = TimeSpan.FromMilliseconds(10);

    public static async ValueTask<ExchangeOutcome> RespondAsync(Exchange exchange, FileEntry file, CancellationToken cancellationToken)
    {
        var context = exchange.Context;
        var request = exchange.Request;
        var plan = context.Planner.Next(file.Path);
        var kind = plan.Kind;

        // A crawler cannot tell a challenge page served as a page from the page itself, and it reads a page only when
        // it says text/html: a random soft block or wrong type on a page would change what a correct crawl finds, so
        // random draws of those two serve a page cleanly (a script still injects them).
        if (file.IsPage && !plan.Scripted && kind is FaultKind.SoftBlock or FaultKind.WrongContentType)
        {
            kind = FaultKind.None;
        }

        if (kind is FaultKind.StaleReset or FaultKind.BanReset)
        {
            Inject(exchange, plan, kind);
            SocketCloser.Reset(exchange.Socket);
            return ExchangeOutcome.Gone;
        }

        if (kind == FaultKind.ETagChanged)
        {
            file.BumpVersion();
            Inject(exchange, plan, kind);
        }

        if (kind is >= FaultKind.TooManyRequestsSeconds and <= FaultKind.SoftBlock)
        {
            Inject(exchange, plan, kind);
            return await StatusFaults.SendAsync(exchange, kind, cancellationToken);
        }

        var version = file.Version;
        var range = request.RawRange;
        if (range is not null && request.Header("If-Range") is { } ifRange && !IfRangeMatches(ifRange, file.ETagFor(version), file.LastModifiedFor(version)))
        {
            range = null;
        }

        if (kind == FaultKind.RangeIgnored)
        {
            if (range is null)
            {
                kind = FaultKind.None;
            }
            else
            {
                range = null;
                Inject(exchange, plan, kind);
            }
        }

        long start = 0;
        var endExclusive = file.Size;
        var status = 200;
        if (range is { } r)
        {
            var (satisfiable, first, last) = r.Resolve(file.Size);
            if (!satisfiable)
            {
                var notSatisfiable = new ResponseHead(416)
                    .Add("Content-Range", "bytes */" + file.Size.ToString(CultureInfo.InvariantCulture))
                    .Add("Accept-Ranges", "bytes");
                return await exchange.SendTextAsync(notSatisfiable, "text/plain; charset=utf-8", "Range Not Satisfiable\n", cancellationToken);
            }

            status = 206;
            start = first;
            endExclusive = last + 1;
        }

        var length = endExclusive - start;
        var isGet = !request.IsHead;
        var applicable = kind switch
        {
            FaultKind.ResetMidBody or FaultKind.Truncate or FaultKind.Stall or FaultKind.Pause => isGet && length > 0,
            FaultKind.SlowDrip or FaultKind.Chunked => isGet,
            _ => true,
        };
        if (!applicable)
        {
            kind = FaultKind.None;
        }

        var cutAt = endExclusive;
        if (kind is FaultKind.ResetMidBody or FaultKind.Truncate or FaultKind.Stall or FaultKind.Pause)
        {
            cutAt = start + (long)(length * plan.Fraction);
        }

        if (kind == FaultKind.None && isGet && context.Planner.TakeResetOffset(file.Path, start, endExclusive) is { } offset)
        {
            kind = FaultKind.ResetMidBody;
            plan = plan with { Kind = kind, Scripted = true };
            cutAt = offset;
        }

        if (kind is FaultKind.ResetMidBody or FaultKind.Truncate or FaultKind.Stall or FaultKind.SlowDrip or FaultKind.Chunked or FaultKind.WrongContentType
            or FaultKind.Pause or FaultKind.SlowHead or FaultKind.DuplicateContentLength or FaultKind.NegativeContentLength or FaultKind.ContentEncodingUnknown)
        {
            Inject(exchange, plan, kind);
        }

        if (kind is FaultKind.DuplicateContentLength or FaultKind.NegativeContentLength)
        {
            // These heads give no length a client can trust, so the close delimits the body.
            exchange.CloseAfterResponse();
        }

        var head = new ResponseHead(status)
            .Add("Content-Type", kind == FaultKind.WrongContentType ? "text/plain" : file.ContentType)
            .Add("Accept-Ranges", "bytes")
            .Add("ETag", file.ETagFor(version))
            .Add("Last-Modified", HttpDate.Format(file.LastModifiedFor(version)));
        if (status == 206)
        {
            head.Add("Content-Range", string.Create(CultureInfo.InvariantCulture, $"bytes {start}-{endExclusive - 1}/{file.Size}"));
        }

        switch (kind)
        {
            case FaultKind.Chunked:
                head.Add("Transfer-Encoding", "chunked");
                break;
            case FaultKind.DuplicateContentLength:
                head.Add("Content-Length", length).Add("Content-Length", length + 1);
                break;
            case FaultKind.NegativeContentLength:
                head.Add("Content-Length", "-5");
                break;
            default:
                head.Add("Content-Length", length);
                break;
        }

        if (kind == FaultKind.ContentEncodingUnknown)
        {
            head.Add("Content-Encoding", "zstd");
        }

        if (kind == FaultKind.SlowHead)
        {
            await Task.Delay(context.Options.StallDuration, context.Time, cancellationToken);
        }

        await exchange.SendHeadAsync(head, cancellationToken);
        if (!isGet)
        {
            return exchange.KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
        }

        await SendBodyAsync(exchange, file, version, start, cutAt, kind, cancellationToken);
        if (kind == FaultKind.Pause)
        {
            await Task.Delay(context.Options.StallDuration, context.Time, cancellationToken);
            await SendBodyAsync(exchange, file, version, cutAt, endExclusive, kind, cancellationToken);
        }

        switch (kind)
        {
            case FaultKind.ResetMidBody:
                await Task.Delay(ResetSettle, cancellationToken);
                SocketCloser.Reset(exchange.Socket);
                return ExchangeOutcome.Gone;
            case FaultKind.Truncate:
                SocketCloser.Close(exchange.Socket);
                return ExchangeOutcome.Gone;
            case FaultKind.Stall:
                await StallAsync(exchange, cancellationToken);
                SocketCloser.Close(exchange.Socket);
                return ExchangeOutcome.Gone;
        }

        if (kind == FaultKind.Chunked)
        {
            await exchange.SendFramingAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
        }

        if (start == 0 && endExclusive == file.Size)
        {
            context.Counters.CompleteBody(file.Path);
        }

        return exchange.KeepAlive ? ExchangeOutcome.KeepOpen : ExchangeOutcome.Close;
    }

    private static void Inject(Exchange exchange, FaultPlan plan, FaultKind kind)
    {
        exchange.Entry.Fault = kind;
        exchange.Context.Counters.Fault(kind);
        exchange.Context.Planner.Commit(exchange.Request.Path, plan with { Kind = kind });
    }

    /// <summary>Whether an If-Range value (an entity tag or an HTTP-date) names the representation with these validators.</summary>
    public static bool IfRangeMatches(string ifRange, string etag, DateTimeOffset lastModified)
    {
        var value = ifRange.Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            // If-Range needs a strong comparison, so a weak tag never matches.
            return value == etag;
        }

        return HttpDate.TryParse(value, out var date) && date == lastModified;
    }

    private static async ValueTask SendBodyAsync(Exchange exchange, FileEntry file, int version, long start, long endExclusive, FaultKind kind, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FileEntry.BlockSize);
        try
        {
            var dripStarted = exchange.Context.Time.GetTimestamp();
            long dripSent = 0;
            var position = start;
            while (position < endExclusive)
            {
                var block = position / FileEntry.BlockSize;
                var blockStart = block * FileEntry.BlockSize;
                var blockLength = file.BlockLength(block);
                file.FillBlock(version, block, buffer.AsSpan(0, blockLength));
                var from = (int)(position - blockStart);
                var count = (int)Math.Min(blockLength - from, endExclusive - position);
                var slice = buffer.AsMemory(from, count);
                if (kind == FaultKind.SlowDrip)
                {
                    dripSent = await DripAsync(exchange, slice, dripStarted, dripSent, cancellationToken);
                }
                else if (kind == FaultKind.Chunked)
                {
                    await exchange.SendFramingAsync(Encoding.ASCII.GetBytes(count.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken);
                    await exchange.SendBodyAsync(slice, cancellationToken);
                    await exchange.SendFramingAsync("\r\n"u8.ToArray(), cancellationToken);
                }
                else
                {
                    await exchange.SendBodyAsync(slice, cancellationToken);
                }

                position += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<long> DripAsync(Exchange exchange, ReadOnlyMemory<byte> data, long started, long sent, CancellationToken cancellationToken)
    {
        var time = exchange.Context.Time;
        var rate = exchange.Context.Options.SlowDripBytesPerSecond;
        var piece = Math.Max(1, rate / 20);
        while (!data.IsEmpty)
        {
            var count = Math.Min(piece, data.Length);
            await exchange.SendBodyAsync(data[..count], cancellationToken);
            data = data[count..];
            sent += count;

            // Pace against the start time so timer coarseness does not accumulate.
            var due = TimeSpan.FromSeconds(sent / (double)rate) - time.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, time, cancellationToken);
            }
        }

        return sent;
    }

    private static async Task StallAsync(Exchange exchange, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var probe = new byte[1];
        var clientGone = exchange.Socket.ReceiveAsync(probe, System.Net.Sockets.SocketFlags.None, stop.Token).AsTask();
        var delay = Task.Delay(exchange.Context.Options.StallDuration, exchange.Context.Time, stop.Token);
        await Task.WhenAny(clientGone, delay);
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(clientGone, delay);
        }
        catch (Exception) when (clientGone.IsCompleted && delay.IsCompleted)
        {
            // Cancellation and the client's reset are the expected ways a stall ends.
        }
    }
}
