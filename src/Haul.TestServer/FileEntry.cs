using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Haul.TestServer;

/// <summary>One served file: identity, current version and content generated on demand (seeded noise behind an image signature, or a page's bytes).</summary>
internal sealed class FileEntry
{
    public const int BlockSize = 64 * 1024;

    private readonly IEntryContent? _content;

    private readonly ConcurrentDictionary<int, Lazy<string>> _sha256ByVersion = new();
    private readonly DateTimeOffset _baseLastModified;
    private readonly byte[] _header;
    private readonly ulong _key;
    private int _version = 1;

    public FileEntry(string path, long size, string contentType, ulong key, DateTimeOffset baseLastModified)
    {
        Path = path;
        Size = size;
        ContentType = contentType;
        _key = key;
        _baseLastModified = baseLastModified;
        _header = ImageSignatures.BuildHeader(contentType, size);
    }

    /// <summary>An entry whose bytes are <paramref name="content"/>'s, the same at every version (a page).</summary>
    public FileEntry(string path, IEntryContent content, string contentType, ulong key, DateTimeOffset baseLastModified)
        : this(path, content.Length, contentType, key, baseLastModified)
    {
        _content = content;
    }

    public string Path { get; }

    public long Size { get; }

    public string ContentType { get; }

    public int Version => Volatile.Read(ref _version);

    /// <summary>True for an HTML page (its content type is <c>text/html</c>), false for an image or other file.</summary>
    public bool IsPage => ContentType.StartsWith("text/html", StringComparison.Ordinal);

    public int BumpVersion() => Interlocked.Increment(ref _version);

    public string ETagFor(int version) =>
        $"\"{version}-{SeededHash.Combine(_key, (ulong)version, 0xE7A9UL):x16}\"";

    public DateTimeOffset LastModifiedFor(int version) => _baseLastModified.AddSeconds(version);

    public string Sha256For(int version) =>
        _sha256ByVersion.GetOrAdd(version, v => new Lazy<string>(() => ComputeSha256(v))).Value;

    public ServedFile Snapshot()
    {
        var version = Version;
        return new ServedFile(Path, Size, ContentType, ETagFor(version), LastModifiedFor(version), Sha256For(version), version);
    }

    /// <summary>Fills <paramref name="destination"/> with the content of one 64 KiB block; each block is independent so any range is cheap.</summary>
    public void FillBlock(int version, long blockIndex, Span<byte> destination)
    {
        if (_content is not null)
        {
            _content.Fill(blockIndex * BlockSize, destination);
            return;
        }

        var state = SeededHash.Combine(_key, (ulong)version, (ulong)blockIndex, 0xB10CUL);
        var i = 0;
        for (; i + 8 <= destination.Length; i += 8)
        {
            state += SeededHash.Golden;
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], Scramble(state));
        }

        if (i < destination.Length)
        {
            Span<byte> tail = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(tail, Scramble(state + SeededHash.Golden));
            tail[..(destination.Length - i)].CopyTo(destination[i..]);
        }

        if (blockIndex == 0)
        {
            var length = Math.Min(_header.Length, destination.Length);
            _header.AsSpan(0, length).CopyTo(destination);
        }
    }

    /// <summary>Length of block <paramref name="blockIndex"/>; the last block may be short.</summary>
    public int BlockLength(long blockIndex) => (int)Math.Min(BlockSize, Size - (blockIndex * BlockSize));

    private static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private string ComputeSha256(int version)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var blocks = (Size + BlockSize - 1) / BlockSize;
            for (long block = 0; block < blocks; block++)
            {
                var span = buffer.AsSpan(0, BlockLength(block));
                FillBlock(version, block, span);
                hash.AppendData(span);
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
