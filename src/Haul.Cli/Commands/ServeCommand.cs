using System.CommandLine;
using System.Globalization;
using Haul.TestServer;

namespace Haul.Cli.Commands;

/// <summary><c>haul serve</c>: runs the hostile test server on 127.0.0.1 until Ctrl+C, for trying Haul (or anything else) by hand.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var files = new Option<int>("--files") { Description = "How many files to serve.", DefaultValueFactory = _ => 1000 };
        var faults = FaultsOption.Create();
        var seed = new Option<int>("--seed") { Description = "Seed of the file set and the faults.", DefaultValueFactory = _ => 1 };
        var staleMs = new Option<int?>("--stale-after-ms") { Description = "Reset a request on a keep-alive connection idle longer than this (the stale-connection race)." };
        var urlList = new Option<string?>("--url-list") { Description = "Write the file URLs to this file, one a line." };
        var tls = new Option<bool>("--tls") { Description = "Serve HTTPS with a self-signed certificate; its PEM is written to a temporary file, printed at start." };
        var gallery = new Option<bool>("--gallery")
        {
            Description = "Also serve the seeded gallery site (/gallery/, robots.txt, traps) for haul crawl, with a second server on a free port as its CDN host.",
        };
        var galleryPages = new Option<int>("--gallery-pages") { Description = "Listing pages of the gallery.", DefaultValueFactory = _ => 20 };
        var galleryImageSize = new Option<long>("--gallery-image-size") { Description = "Largest gallery original in bytes; the smallest is a tenth of it (at least 1024).", DefaultValueFactory = _ => 160 * 1024 };
        var rateLimit = new Option<double?>("--rate-limit") { Description = "Allow this many requests a second (a token bucket shared by all clients); answer 429 with Retry-After beyond it." };
        var burst = new Option<int>("--burst") { Description = "Requests the rate limit allows at once above its rate.", DefaultValueFactory = _ => 10 };
        var retryAfter = new Option<int>("--retry-after") { Description = "Seconds announced in Retry-After of 429s and 503s.", DefaultValueFactory = _ => 1 };
        var ban = new Option<int?>("--ban") { Description = "Ban every client (reset each connection) once more than this many requests arrive in one second." };
        var banSeconds = new Option<double>("--ban-seconds") { Description = "How long a ban lasts.", DefaultValueFactory = _ => 10 };
        var outage = new Option<double?>("--outage") { Description = "Answer every request 503 (without Retry-After) for this many seconds after the first one." };
        var stallSeconds = new Option<double>("--stall-seconds") { Description = "How long a stall holds the connection silent.", DefaultValueFactory = _ => 30 };
        var command = new Command("serve", "Run the hostile test server on 127.0.0.1 until Ctrl+C.")
        {
            port, files, faults, seed, staleMs, urlList, tls, gallery, galleryPages, galleryImageSize, rateLimit, burst, retryAfter, ban, banSeconds, outage,
            stallSeconds,
        };
        HelpWithExamples.WithExamples(command, """
              haul serve --port 8080 --url-list urls.txt & haul get -i urls.txt
              haul serve --tls --port 8443 --url-list urls.txt & haul get --cacert CERTIFICATE-IT-NAMES -i urls.txt
              haul serve --gallery --port 8080
              haul serve --rate-limit 40 --ban 80 --faults stall=0.01 --stall-seconds 60 --url-list urls.txt
            """);
        command.SetAction(async (result, cancellationToken) =>
        {
            var profile = result.GetValue(faults)!;
            var largest = result.GetValue(galleryImageSize);
            var galleryOptions = result.GetValue(gallery)
                ? new GalleryOptions { Pages = result.GetValue(galleryPages), MaxImageSize = largest, MinImageSize = Math.Max(1024, largest / 10) }
                : null;
            var options = new HostileServerOptions
            {
                Port = result.GetValue(port),
                FileCount = result.GetValue(files),
                Seed = result.GetValue(seed),
                Faults = profile,
                StaleAfterIdle = result.GetValue(staleMs) is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
                Tls = result.GetValue(tls) ? new ServerTls { Certificate = ServerCertificateKind.SelfSigned } : null,
                Gallery = galleryOptions,
                RateLimit = result.GetValue(rateLimit) is { } rate ? new RateLimitOptions(rate, result.GetValue(burst), result.GetValue(retryAfter)) : null,
                RetryAfterSeconds = result.GetValue(retryAfter),
                Ban = result.GetValue(ban) is { } banRate ? new BanOptions(banRate, TimeSpan.FromSeconds(result.GetValue(banSeconds))) : null,
                Outage = result.GetValue(outage) is { } down ? TimeSpan.FromSeconds(down) : null,
                StallDuration = TimeSpan.FromSeconds(result.GetValue(stallSeconds)),
            };
            HostileServer? cdn = null;
            HostileServer server;
            try
            {
                // The gallery's second host: same seed and gallery, plain HTTP, on a free port.
                cdn = galleryOptions is null ? null : await HostileServer.StartAsync(
                    new HostileServerOptions { Seed = options.Seed, FileCount = 0, Faults = profile, Gallery = galleryOptions }, cancellationToken);
                server = await HostileServer.StartAsync(
                    cdn is null ? options : WithCdn(options, galleryOptions!, cdn.BaseUri), cancellationToken);
            }
            catch (Exception exception) when (exception is ArgumentException or System.Net.Sockets.SocketException)
            {
                if (cdn is not null)
                {
                    await cdn.DisposeAsync();
                }

                return CliError.Usage($"cannot start the server: {exception.Message}");
            }

            await using (cdn)
            await using (server)
            {
                if (result.GetValue(urlList) is { } list)
                {
                    try
                    {
                        await File.WriteAllLinesAsync(list, server.FileUrls.Select(u => u.AbsoluteUri), cancellationToken);
                    }
                    catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                    {
                        return CliError.Usage($"cannot write the URL list '{list}': {exception.Message}");
                    }
                }

                // A folder of its own (created private, with a name nobody can guess or plant a link at beforehand).
                DirectoryInfo? certificateFolder = null;
                string? certificateFile = null;
                if (server.CaCertificatePem is not null)
                {
                    certificateFolder = Directory.CreateTempSubdirectory("haul-serve-");
                    certificateFile = Path.Combine(certificateFolder.FullName, "certificate.pem");
                    await server.WriteCaCertificateAsync(certificateFile, cancellationToken);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Serving {server.Files.Count} files at {server.BaseUri}files/ (faults: {profile}); Ctrl+C stops."));
                if (server.GalleryStartUri is { } start)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Gallery of {server.GalleryImages.Count} full-size images: {start} (its CDN host: {cdn!.BaseUri})"));
                }

                if (certificateFile is not null)
                {
                    Console.WriteLine($"Self-signed certificate for localhost and 127.0.0.1 in {certificateFile}: haul get --cacert {certificateFile} …");
                }

                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }

                certificateFolder?.Delete(recursive: true);

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Served {server.Counters.Requests} requests, {server.Counters.BodyBytesSent} body bytes."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static HostileServerOptions WithCdn(HostileServerOptions options, GalleryOptions gallery, Uri cdn) =>
        options with { Gallery = new GalleryOptions { Pages = gallery.Pages, CdnBaseUri = cdn } };
}
