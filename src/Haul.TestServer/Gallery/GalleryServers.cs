namespace Haul.TestServer;

/// <summary>
/// A gallery site and its CDN host: two <see cref="HostileServer"/>s on 127.0.0.1 with the same seed and gallery
/// options, the main one told where the CDN is. Faults apply to the main server's pages and images.
/// </summary>
public sealed class GalleryServers : IAsyncDisposable
{
    private GalleryServers(HostileServer main, HostileServer cdn)
    {
        Main = main;
        Cdn = cdn;
    }

    /// <summary>The gallery's own host: its pages, most images, robots.txt.</summary>
    public HostileServer Main { get; }

    /// <summary>The second host, which serves <c>/cdn/</c> images and an off-site page.</summary>
    public HostileServer Cdn { get; }

    /// <summary>Where a crawl starts: <c>/gallery/</c> of the main server.</summary>
    public Uri StartUri => Main.GalleryStartUri!;

    /// <summary>Starts both servers; <paramref name="options"/> gives the main one's seed, faults and gallery (its CDN address is filled in).</summary>
    public static async Task<GalleryServers> StartAsync(HostileServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var gallery = options.Gallery ?? new GalleryOptions();
        var cdn = await HostileServer.StartAsync(
            new HostileServerOptions { Seed = options.Seed, FileCount = 0, Gallery = gallery, TimeProvider = options.TimeProvider }, cancellationToken).ConfigureAwait(false);
        try
        {
            var main = await HostileServer.StartAsync(
                options with { Gallery = gallery with { CdnBaseUri = cdn.BaseUri } }, cancellationToken).ConfigureAwait(false);
            return new GalleryServers(main, cdn);
        }
        catch
        {
            await cdn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The server that serves an expected image.</summary>
    public HostileServer HostOf(GalleryImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.OnCdn ? Cdn : Main;
    }

    public async ValueTask DisposeAsync()
    {
        await Main.DisposeAsync().ConfigureAwait(false);
        await Cdn.DisposeAsync().ConfigureAwait(false);
    }
}
