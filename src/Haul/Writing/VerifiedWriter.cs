using System.Buffers;
using System.Security.Cryptography;

namespace Haul.Writing;

/// <summary>
/// Writes a body to its partial file with bounded memory, hashing as it goes, and says whether it is verified; only
/// then is it moved to its final name (<see cref="FilePlacer"/>), so a final path holds a whole file or nothing. The
/// partial file is opened without following a link (<see cref="NoFollowFile"/>); its folder must exist.
/// </summary>
internal sealed class VerifiedWriter : IAsyncDisposable
{
    private readonly FileStream _file;
    private readonly string _partPath;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _head = new byte[ContentSniffer.SniffLength];
    private int _headLength;
    private bool _closed;

    private VerifiedWriter(FileStream file, string partPath)
    {
        _file = file;
        _partPath = partPath;
    }

    /// <summary>Bytes in the file, the kept prefix included.</summary>
    public long Length { get; private set; }

    /// <summary>The file's first bytes (up to <see cref="ContentSniffer.SniffLength"/>).</summary>
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>Opens the partial file, keeping its first <paramref name="keep"/> bytes (hashed again) and dropping the rest.</summary>
    public static async Task<VerifiedWriter> OpenAsync(string partPath, long keep, CancellationToken cancellationToken)
    {
        var file = NoFollowFile.Open(partPath, NoFollowFile.Mode.OpenOrCreate);
        var writer = new VerifiedWriter(file, partPath);
        try
        {
            if (file.Length > keep)
            {
                file.SetLength(keep);
            }

            keep = Math.Min(keep, file.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
            try
            {
                file.Position = 0;
                while (writer.Length < keep)
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, keep - writer.Length)), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    writer.Account(buffer.AsSpan(0, read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            file.Position = writer.Length;
            return writer;
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends body bytes.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        Account(data.Span);
    }

    /// <summary>Closes and deletes the partial file: what it holds must never be kept.</summary>
    public async ValueTask DiscardAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        File.Delete(_partPath);
    }

    /// <summary>
    /// Closes the file and checks its SHA-256 against <paramref name="expectedSha256"/> (when given). Returns the
    /// SHA-256, or null when it did not match (the partial file is then deleted).
    /// </summary>
    public async Task<string?> FinishAsync(string? expectedSha256, CancellationToken cancellationToken)
    {
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        Sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (expectedSha256 is not null && !string.Equals(Sha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            await DiscardAsync().ConfigureAwait(false);
            return null;
        }

        await CloseAsync().ConfigureAwait(false);
        return Sha256;
    }

    /// <summary>The body's SHA-256 once <see cref="FinishAsync"/> has run, whether or not it matched.</summary>
    public string? Sha256 { get; private set; }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        _hash.Dispose();
    }

    private async ValueTask CloseAsync()
    {
        if (!_closed)
        {
            _closed = true;
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        if (_headLength < _head.Length)
        {
            var take = Math.Min(_head.Length - _headLength, data.Length);
            data[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        Length += data.Length;
    }
}
