using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Input;
using Haul.Journal;
using Haul.Reporting;
using Haul.Text;

namespace Haul.Cli.Commands;

/// <summary><c>haul get</c>: downloads URLs from arguments, files or standard input.</summary>
internal static class GetCommand
{
    private const string Examples = """
        Download every URL of a list, files into ./images/HOST/PATH, 16 at a time, 4 per host:
          haul get -i urls.txt -o images

        A few URLs, a custom header and a slower pace:
          haul get -j 4 --per-host 2 -H 'Referer: https://example.org/' https://example.org/a.jpg https://example.org/b.jpg

        From standard input, then retry what failed:
          grep -o 'https://[^"]*\.jpg' page.html | haul get -o images -
          haul get -i images/failed.txt -o images

        Many machines on one job (a PostgreSQL database; each worker may have its own -o):
          haul get --journal postgres://haul@db.example/haul --job cats -i urls.txt -o images
          haul worker --journal postgres://haul@db.example/haul --job cats -o images

        Run the same command again to resume after a crash or Ctrl+C: done files are kept, partial ones continue.
        Exit codes: 0 all done, 1 some failed or nothing to download, 2 usage error, 130 interrupted.
        """;

    public static Command Create()
    {
        var options = new GetOptions();
        var shared = new SharedJobOptions();
        var command = HelpWithExamples.WithExamples(new Command("get", "Download URLs completely, correctly and crash-safely."), Examples);
        options.AddTo(command);
        shared.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(options, shared, result, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(GetOptions options, SharedJobOptions shared, ParseResult result, CancellationToken cancellationToken)
    {
        var haulOptions = options.ToHaulOptions(result);
        if (haulOptions is null)
        {
            return ExitCodes.Usage;
        }

        var noInput = (result.GetValue(options.Urls) ?? []).Length == 0 && (result.GetValue(options.InputFiles) ?? []).Length == 0;

        // Without input, a shared job is joined as a worker does: it must exist.
        haulOptions = shared.Apply(result, haulOptions, mustExist: noInput);
        if (haulOptions is null)
        {
            return ExitCodes.Usage;
        }

        if (haulOptions.Insecure)
        {
            Console.Error.WriteLine("haul: warning: --insecure: TLS certificates are not verified");
        }

        using var input = CommandLineInput.Open(result.GetValue(options.Urls) ?? [], result.GetValue(options.InputFiles) ?? []);
        if (input is null)
        {
            return ExitCodes.Usage;
        }

        // No input on a folder that holds a job resumes that job: what an interrupted run or 'haul verify' left pending.
        var resume = input.IsEmpty;
        if (resume && haulOptions.SharedJob is null && !File.Exists(SqliteJobJournal.DatabasePath(haulOptions.OutputDirectory)))
        {
            return CliError.Usage("no URLs given; pass URLs, -i FILE or '-' (see 'haul get --help')");
        }

        // The live view and log lines would fight over the terminal.
        var plain = result.GetValue(options.NoProgress) || result.GetValue(options.Verbose);
        var display = ProgressDisplay.Choose(plain, result.GetValue(options.Quiet));
        var progress = new JobProgress();
        var exitCode = await RunJobAsync(haulOptions, input.ReadAsync(cancellationToken), progress, display, cancellationToken);

        // A job whose input named nothing to download did not do what was asked, though its skipped entries are recorded.
        if (!resume && exitCode == ExitCodes.Success && progress.InputRequests == 0)
        {
            return progress.InputSkipped > 0
                ? CliError.Failure("nothing to download: every input was skipped (see report.json)")
                : CliError.Usage("no URLs given: the input named none (see 'haul get --help')");
        }

        return exitCode;
    }

    /// <summary>Runs a job with a progress display and prints its summary; shared with <c>haul demo</c>.</summary>
    internal static Task<int> RunJobAsync(
        HaulOptions options, IAsyncEnumerable<InputEntry> input, JobProgress progress, ProgressDisplay display, CancellationToken cancellationToken) =>
        RunJobAsync(options, progress, display, () => DownloadJob.RunAsync(options, input, progress, cancellationToken), cancellationToken);

    /// <summary>Runs a job (a list or a crawl) with a progress display and prints its summary.</summary>
    /// <remarks>
    /// The summary goes to <paramref name="summaryWriter"/> when given (a crawl's <c>--list</c> keeps standard output for
    /// its URLs), and names the reports only when <paramref name="reportsKept"/> (not those of a temporary folder).
    /// </remarks>
    internal static async Task<int> RunJobAsync(
        HaulOptions options, JobProgress progress, ProgressDisplay display, Func<Task<JobReport>> job, CancellationToken cancellationToken, TextWriter? summaryWriter = null, bool reportsKept = true)
    {
        // Every skipped entry is said as it is met: by the parser (a malformed line) or by the journal (a duplicate).
        progress.EntrySkipped += skipped => Console.Error.WriteLine($"haul: {PrintableText.Of(skipped.Source)}: skipped '{PrintableText.Of(skipped.Text)}': {PrintableText.Of(skipped.Rule)}");
        try
        {
            var report = await display.RunAsync(progress, job, cancellationToken);
            Summary.Print(report, reportsKept ? options.OutputDirectory : null, listSkipped: false, summaryWriter);
            return report.Succeeded ? ExitCodes.Success : ExitCodes.SomeFailed;
        }
        catch (Exception exception) when (CliError.IsUsageProblem(exception))
        {
            return CliError.Usage(exception.Message);
        }
        catch (Exception exception) when (exception is DiskFullException or JournalWriteException or JournalUnavailableException)
        {
            return CliError.Failure(exception.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("haul: interrupted; run the same command again to resume");
            return ExitCodes.Interrupted;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return CliError.Unexpected(exception);
        }
    }
}
