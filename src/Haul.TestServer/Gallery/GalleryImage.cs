namespace Haul.TestServer;

/// <summary>One full-size image that a correct default crawl of the gallery returns.</summary>
/// <param name="OnCdn">True when the image is on the CDN host (<see cref="GalleryOptions.CdnBaseUri"/>), false on this server.</param>
/// <param name="Path">URL path on its host, e.g. <c>/img/full/p3-7.png</c> or <c>/cdn/full/p2-10.jpg</c>.</param>
/// <param name="Size">Length in bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the content at its current version on this server.</param>
/// <param name="ContentType">Media type it is served with.</param>
/// <param name="Url">Absolute URL as a crawl finds it.</param>
public sealed record GalleryImage(bool OnCdn, string Path, long Size, string Sha256, string ContentType, Uri Url);
