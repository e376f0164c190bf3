using Haul.IO;

namespace Haul.Fetching;

/// <summary>
/// Reads a decoded (gzip, deflate, br) body and stops it when it grows out of all proportion to the bytes that came
/// over the wire: more than <see cref="MaxRatio"/> times them plus <see cref="Slack"/>. A compression bomb (a
/// megabyte that expands to a gibibyte) then fails its one item as too large, instead of filling the disk.
/// </summary>
internal sealed class ExpansionGuardStream : ReadOnlyStream
{
    /// <summary>How many times the received bytes a decoded body may hold (beyond <see cref="Slack"/>).</summary>
    public const long MaxRatio = 100;

    /// <summary>
    /// What a decoded body may hold beyond <see cref="MaxRatio"/> times the received bytes: 64 MiB, so that a real file
    /// that compresses far better than 100:1 (an uncompressed scan of a near-white page: 40 MB from 61 KB) still passes.
    /// </summary>
    public const long Slack = 64L << 20;

    private readonly Stream _decoded;
    private readonly WireCounter _wire;
    private long _decodedBytes;
    private long _wireTaken;

    private ExpansionGuardStream(Stream decoded, WireCounter wire)
    {
        _decoded = decoded;
        _wire = wire;
    }

    /// <summary>The bytes read from the wire since the last call: what a download counts as received.</summary>
    public long TakeWireBytes()
    {
        var taken = _wire.Count - _wireTaken;
        _wireTaken = _wire.Count;
        return taken;
    }

    /// <summary>Wraps <paramref name="raw"/> to count its bytes, and the decoders <paramref name="decode"/> puts on it to bound them.</summary>
    public static Stream Create(Stream raw, Func<Stream, Stream> decode)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(decode);
        var wire = new WireCounter(raw);
        return new ExpansionGuardStream(decode(wire), wire);
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(_decoded.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _decoded.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoded.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _decoded.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Count(int read)
    {
        _decodedBytes += read;
        if (_decodedBytes > (_wire.Count * MaxRatio) + Slack)
        {
            throw new ExpansionLimitException(_decodedBytes, _wire.Count);
        }

        return read;
    }

    /// <summary>The raw body, counting the bytes read from it.</summary>
    private sealed class WireCounter(Stream raw) : ReadOnlyStream
    {
        public long Count { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = raw.Read(buffer, offset, count);
            Count += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await raw.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Count += read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                raw.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await raw.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
