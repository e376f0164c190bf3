namespace Haul.TestServer;

/// <summary>A page held in memory.</summary>
internal sealed class PageContent(byte[] bytes) : IEntryContent
{
    public byte[] Bytes { get; } = bytes;

    public long Length => Bytes.Length;

    public void Fill(long offset, Span<byte> destination) => Bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
}
