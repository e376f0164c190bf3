namespace Haul.TestServer;

/// <summary>The two hosts of the gallery as written into its pages.</summary>
internal sealed class GalleryUrls
{
    public GalleryUrls(Uri baseUri, Uri? cdnBaseUri)
    {
        Main = baseUri.GetLeftPart(UriPartial.Authority);
        HasCdn = cdnBaseUri is not null;
        Cdn = (cdnBaseUri ?? baseUri).GetLeftPart(UriPartial.Authority);
        CdnProtocolRelative = "//" + (cdnBaseUri ?? baseUri).Authority;
    }

    /// <summary>This server, <c>http://127.0.0.1:PORT</c> without a trailing slash.</summary>
    public string Main { get; }

    /// <summary>The CDN host in the same form; this server when there is no CDN.</summary>
    public string Cdn { get; }

    /// <summary>The CDN host as <c>//127.0.0.1:PORT</c>.</summary>
    public string CdnProtocolRelative { get; }

    /// <summary>True when a separate CDN host was given.</summary>
    public bool HasCdn { get; }

    /// <summary>Whether an absolute URL of a found image is on the CDN host (always false without a CDN).</summary>
    public bool IsOnCdn(string absoluteUrl) => HasCdn && absoluteUrl.StartsWith(Cdn + "/", StringComparison.Ordinal);
}
