using System.CommandLine;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Input;

namespace Haul.Cli.Commands;

/// <summary><c>haul crawl</c>: every full-size image of a gallery, from its first page.</summary>
internal static class CrawlCommand
{
    private const string Examples = """
        Every full-size image of a gallery, into ./photos/HOST/PATH, with images.jsonl mapping them to their pages:
          haul crawl https://example.org/gallery/ -o photos

        Only under the start folder, at most 200 pages, JPEG and PNG of at least 50 KB:
          haul crawl --no-parent --max-pages 200 --accept jpg,png --min-size 50K https://example.org/gallery/ -o photos

        The image URLs only, for another tool:
          haul crawl --list https://example.org/gallery/ > urls.txt

        One crawl on many machines, sharing its pages, its limits and each host's politeness (see 'haul worker'):
          haul crawl --journal postgres://haul@db.example/haul --job gallery https://example.org/gallery/ -o photos

        Run the same command again to resume after a crash or Ctrl+C: no done page or image is fetched again.
        Exit codes: 0 all done, 1 some failed, 2 usage error, 130 interrupted.
        """;

    public static Command Create()
    {
        var shared = new GetOptions();
        var crawl = new CrawlOptionsBinder();
        var command = HelpWithExamples.WithExamples(
            new Command("crawl", "Download every full-size image of a gallery: pages in scope are read, pagination followed, robots.txt honoured."), Examples);
        crawl.AddTo(command);
        shared.AddTo(command, withInput: false);

        var sharedJob = new SharedJobOptions();
        sharedJob.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(shared, crawl, sharedJob, result, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        GetOptions shared, CrawlOptionsBinder crawlBinder, SharedJobOptions sharedJob, ParseResult result, CancellationToken cancellationToken)
    {
        var options = shared.ToHaulOptions(result);
        var crawl = crawlBinder.ToCrawlOptions(result);
        if (options is null || crawl is null)
        {
            return ExitCodes.Usage;
        }

        if (crawl.ListOnly && sharedJob.Given(result))
        {
            return CliError.Usage(SharedCrawl.ListOnShared);
        }

        // A list keeps no folder: its journal lives for the run only, so a folder of its would hold pages marked done
        // without their images, and a download crawl there later would fetch nothing.
        if (crawl.ListOnly && result.GetResult(shared.Output) is { Implicit: false })
        {
            return CliError.Usage("--list prints image URLs and keeps no folder, so -o has no use with it: drop -o, or crawl without --list to download into it");
        }

        // A shared crawl is created by its first haul crawl (or joined by the same command); haul worker joins it too.
        options = sharedJob.Apply(result, options, mustExist: false);
        if (options is null)
        {
            return ExitCodes.Usage;
        }

        var texts = result.GetValue(crawlBinder.StartPages) ?? [];
        if (texts.Length == 0)
        {
            return CliError.Usage("no start page given; pass the URL of a gallery's first page (see 'haul crawl --help')");
        }

        var startPages = new List<Uri>();
        foreach (var text in texts)
        {
            if (UrlRules.Check(text) is { } problem)
            {
                return CliError.Usage($"start page '{UrlRules.Redact(text)}': {problem}");
            }

            startPages.Add(new Uri(text));
        }

        var listFolder = (string?)null;
        if (crawl.ListOnly)
        {
            // A list needs a journal only for its run: a folder of its own, removed at the end.
            listFolder = Path.Combine(Path.GetTempPath(), "haul-list-" + Guid.NewGuid().ToString("N"));
            options = options with { OutputDirectory = listFolder };
        }

        var progress = new JobProgress();
        if (crawl.ListOnly)
        {
            var output = Console.Out;
            progress.ImageListed += url => output.WriteLine(url.AbsoluteUri);
        }

        var plain = result.GetValue(shared.NoProgress) || result.GetValue(shared.Verbose) || crawl.ListOnly;
        var display = ProgressDisplay.Choose(plain, result.GetValue(shared.Quiet) || crawl.ListOnly);
        try
        {
            var exitCode = await GetCommand.RunJobAsync(
                options, progress, display, () => CrawlJob.RunAsync(options, crawl, startPages, progress, cancellationToken), cancellationToken,
                crawl.ListOnly ? Console.Error : null, reportsKept: listFolder is null);

            // A crawl that read no page did not do what was asked, even when its pages were only skipped (robots.txt).
            return exitCode == ExitCodes.Success && progress.PagesDone == 0
                ? CliError.Failure("no page was read: every start page was skipped (see report.json)")
                : exitCode;
        }
        finally
        {
            if (listFolder is not null)
            {
                await Console.Out.FlushAsync(cancellationToken);
                try
                {
                    Directory.Delete(listFolder, recursive: true);
                }
                catch (IOException)
                {
                    // A temporary folder left behind is harmless.
                }
            }
        }
    }
}
