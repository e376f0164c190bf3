using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Input;
using Haul.TestServer;
using Haul.Writing;

namespace Haul.Cli.Commands;

/// <summary>
/// <c>haul demo</c>: starts the hostile test server on loopback with a moderate fault mix and crawls its gallery site
/// (or, with <c>--files</c>, downloads its file set as a list) with live progress, then checks every image against the
/// server's SHA-256.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The most files the hostile server offers.</summary>
    private const int MaxFiles = 100_000;

    /// <summary>The most listing pages the gallery offers.</summary>
    private const int MaxPages = 10_000;

    public static Command Create()
    {
        var output = new Option<string>("--output", "-o") { Description = "The demo's own folder, replaced on every run; a folder the demo did not make is refused.", DefaultValueFactory = _ => "haul-demo" };
        var files = new Option<int?>("--files") { Description = "Download a list of this many files instead of crawling the gallery." };
        var pages = new Option<int>("--pages") { Description = "How many listing pages the gallery has.", DefaultValueFactory = _ => 20 };
        var faults = FaultsOption.Create();
        var seed = new Option<int>("--seed") { Description = "Seed of the file set and the faults.", DefaultValueFactory = _ => 42 };
        var noProgress = new Option<bool>("--no-progress") { Description = "Plain log lines instead of the live display." };
        var command = new Command("demo", "Crawl the gallery of a built-in hostile server on 127.0.0.1 (resets, stalls, 429s, traps, hotlink protection…) and verify every image.")
        {
            output, pages, files, faults, seed, noProgress,
        };
        HelpWithExamples.WithExamples(command, "  haul demo\n  haul demo --faults hostile\n  haul demo --files 400     a URL list instead of a crawl");
        command.SetAction(async (result, cancellationToken) =>
        {
            var profile = result.GetValue(faults)!;
            var folder = result.GetValue(output)!;
            var fileCount = result.GetValue(files);
            if (fileCount is < 0 or > MaxFiles)
            {
                return CliError.Usage(string.Create(CultureInfo.InvariantCulture, $"--files {fileCount} is out of range (0 <= N <= {MaxFiles})"));
            }

            var pageCount = result.GetValue(pages);
            if (pageCount is < 1 or > MaxPages)
            {
                return CliError.Usage(string.Create(CultureInfo.InvariantCulture, $"--pages {pageCount} is out of range (1 <= N <= {MaxPages})"));
            }

            if (await DemoFolder.PrepareAsync(folder, cancellationToken) is { } problem)
            {
                return CliError.Usage(problem);
            }

            var display = ProgressDisplay.Choose(result.GetValue(noProgress), quiet: false);
            if (fileCount is null)
            {
                return await DemoCrawl.RunAsync(folder, pageCount, result.GetValue(seed), profile, display, cancellationToken);
            }

            await using var server = await HostileServer.StartAsync(new HostileServerOptions
            {
                Seed = result.GetValue(seed),
                FileCount = fileCount.Value,
                MinFileSize = 2 * 1024,
                MaxFileSize = 1024 * 1024,
                ExtraFileSizes = [8L << 20, 20L << 20],
                Faults = profile,
                StaleAfterIdle = TimeSpan.FromMilliseconds(300),
                StallDuration = TimeSpan.FromSeconds(10),
            }, cancellationToken);

            if (DemoFolder.RecordServers(folder, [server.BaseUri]) is { } markProblem)
            {
                return CliError.Usage(markProblem);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Hostile server at {server.BaseUri} with {server.Files.Count} files; faults: {profile}"));
            var input = new InputBatch();
            input.Requests.AddRange(server.FileUrls.Select(url => new DownloadRequest(url)));
            var options = Options(folder);

            var exitCode = await GetCommand.RunJobAsync(options, input.ReadAsync(), new JobProgress(), display, cancellationToken);
            if (exitCode != ExitCodes.Usage && await DemoFolder.RecordReportsAsync(folder, CancellationToken.None) is { } reportProblem)
            {
                // Recorded even when the job was stopped (its reports are written then too): only those are deleted next time.
                return CliError.Usage(reportProblem);
            }

            if (exitCode is ExitCodes.Usage or ExitCodes.Interrupted)
            {
                // The job did not run (another haul took the folder) or was stopped: there is nothing to verify.
                return exitCode;
            }

            var injected = server.Counters.FaultsByKind.Where(p => p.Value > 0).OrderByDescending(p => p.Value)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{FaultKindNames.ToName(p.Key)} {p.Value}")).ToList();
            Console.WriteLine("server injected: " + (injected.Count == 0 ? "nothing" : string.Join(", ", injected)));
            var (verified, wrong) = await VerifyAsync(server, folder, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verified: {verified} of {server.Files.Count} files byte-identical to the server's; {wrong} missing or different"));
            return wrong == 0 ? exitCode : ExitCodes.SomeFailed;
        });
        return command;
    }

    /// <summary>Deadlines that suit a loopback server: its stalls and faults cost seconds, not minutes.</summary>
    internal static HaulOptions Options(string folder) => new()
    {
        OutputDirectory = folder,
        MaxConcurrency = 16,
        MaxConcurrencyPerHost = 8,
        StallTimeout = TimeSpan.FromSeconds(2),
        ResponseHeadersTimeout = TimeSpan.FromSeconds(5),
        RetryBaseDelay = TimeSpan.FromMilliseconds(200),
        RetryMaxDelay = TimeSpan.FromSeconds(3),
        MaxAttempts = 10,

        // The demo's servers are on this machine: a proxy of the environment must not carry its traffic.
        ProxyEnvironment = null,
    };

    private static async Task<(int Verified, int Wrong)> VerifyAsync(HostileServer server, string folder, CancellationToken cancellationToken)
    {
        int verified = 0, wrong = 0;
        foreach (var file in server.Files)
        {
            var path = OutputPathMapper.Resolve(folder, OutputPathMapper.Map(new Uri(server.BaseUri, file.Path)));
            if (await DemoContents.HoldsAsync(path, server.GetFile(file.Path).Sha256Hex, cancellationToken))
            {
                verified++;
            }
            else
            {
                wrong++;
            }
        }

        return (verified, wrong);
    }
}
