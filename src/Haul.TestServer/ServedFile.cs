namespace Haul.TestServer;

/// <summary>A snapshot of one served file at a given version.</summary>
/// <param name="Path">URL path, e.g. <c>/files/img00003.png</c>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="ContentType">Media type served for the file.</param>
/// <param name="ETag">Strong entity tag, quotes included.</param>
/// <param name="LastModified">Last-Modified of this version.</param>
/// <param name="Sha256Hex">Lower-case hex SHA-256 of this version's content.</param>
/// <param name="Version">Content version, starting at 1.</param>
public sealed record ServedFile(string Path, long Size, string ContentType, string ETag, DateTimeOffset LastModified, string Sha256Hex, int Version);
