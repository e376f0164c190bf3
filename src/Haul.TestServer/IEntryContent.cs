namespace Haul.TestServer;

/// <summary>Fixed bytes of a <see cref="FileEntry"/> (a page), produced by offset so a large body is never held whole.</summary>
internal interface IEntryContent
{
    /// <summary>Length in bytes.</summary>
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes starting at <paramref name="offset"/>.</summary>
    void Fill(long offset, Span<byte> destination);
}
