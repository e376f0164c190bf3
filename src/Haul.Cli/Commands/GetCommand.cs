using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Input;
using Haul.Journal;

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

        Run the same command again to resume after a crash or Ctrl+C: done files are kept, partial ones continue.
        Exit codes: 0 all done, 1 some failed or nothing to download, 2 usage error, 130 interrupted.
        """;

    public static Command Create()
    {
        var options = new GetOptions();
        var command = HelpWithExamples.WithExamples(new Command("get", "Download URLs completely, correctly and crash-safely."), Examples);
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(options, result, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(GetOptions options, ParseResult result, CancellationToken cancellationToken)
    {
        var haulOptions = options.ToHaulOptions(result);
        if (haulOptions is null)
        {
            return ExitCodes.Usage;
        }

        if (haulOptions.Insecure)
        {
            Console.Error.WriteLine("haul: warning: --insecure: TLS certificates are not verified");
        }

        var input = await ReadInputAsync(result.GetValue(options.Urls) ?? [], result.GetValue(options.InputFiles) ?? [], cancellationToken);
        if (input is null)
        {
            return ExitCodes.Usage;
        }

        foreach (var skipped in input.Skipped)
        {
            Console.Error.WriteLine($"haul: {skipped.Source}: skipped '{skipped.Text}': {skipped.Rule}");
        }

        // No input on a folder that holds a job resumes that job: what an interrupted run or 'haul verify' left pending.
        var resume = input.Requests.Count == 0 && input.Skipped.Count == 0;
        if (resume && !File.Exists(SqliteJobJournal.DatabasePath(haulOptions.OutputDirectory)))
        {
            return CliError.Usage("no URLs given; pass URLs, -i FILE or '-' (see 'haul get --help')");
        }

        // The live view and log lines would fight over the terminal.
        var plain = result.GetValue(options.NoProgress) || result.GetValue(options.Verbose);
        var display = ProgressDisplay.Choose(plain, result.GetValue(options.Quiet));
        var exitCode = await RunJobAsync(haulOptions, input, display, cancellationToken);

        // Still run when every input was skipped, so that the journal and the report record each skipped entry; but a
        // job that had nothing to download did not do what was asked.
        if (!resume && input.Requests.Count == 0 && exitCode == ExitCodes.Success)
        {
            return CliError.Failure("nothing to download: every input was skipped (see report.json)");
        }

        return exitCode;
    }

    /// <summary>Runs a job with a progress display and prints its summary; shared with <c>haul demo</c>.</summary>
    internal static async Task<int> RunJobAsync(HaulOptions options, InputBatch input, ProgressDisplay display, CancellationToken cancellationToken)
    {
        var progress = new JobProgress();
        try
        {
            var report = await display.RunAsync(progress, () => DownloadJob.RunAsync(options, input, progress, cancellationToken), cancellationToken);

            // Entries the journal skipped (a duplicate URL with other fields, a path the job already gives it), said
            // like the input's own skipped lines, which were printed as they were read.
            var shown = input.Skipped.Select(s => (s.Source, s.Text)).ToHashSet();
            var sources = input.Requests.Select(r => r.Source).ToHashSet();
            foreach (var skipped in report.SkippedItems.Where(s => sources.Contains(s.Source) && !shown.Contains((s.Source, s.Text))))
            {
                Console.Error.WriteLine($"haul: {skipped.Source}: skipped '{skipped.Text}': {skipped.Rule}");
            }

            Summary.Print(report, options.OutputDirectory, listSkipped: false);
            return report.Succeeded ? ExitCodes.Success : ExitCodes.SomeFailed;
        }
        catch (Exception exception) when (CliError.IsUsageProblem(exception))
        {
            return CliError.Usage(exception.Message);
        }
        catch (Exception exception) when (exception is DiskFullException or JournalWriteException)
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

    private static async Task<InputBatch?> ReadInputAsync(string[] urls, string[] inputFiles, CancellationToken cancellationToken)
    {
        var batch = new InputBatch();
        var readStandardInput = false;
        for (var i = 0; i < urls.Length; i++)
        {
            if (urls[i] == "-")
            {
                readStandardInput = true;
                continue;
            }

            var requests = batch.Requests.Count;
            UrlListParser.ParseLine(urls[i], "argument " + (i + 1).ToString(CultureInfo.InvariantCulture), batch);
            if (batch.Requests.Count == requests && File.Exists(urls[i]))
            {
                CliError.Usage($"'{urls[i]}' is a file; did you mean -i {urls[i]}?");
                return null;
            }
        }

        foreach (var file in inputFiles)
        {
            if (file == "-")
            {
                readStandardInput = true;
                continue;
            }

            try
            {
                using var reader = new StreamReader(file);
                Append(batch, await UrlListParser.ParseAsync(reader, file, cancellationToken));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                CliError.Usage($"cannot read the input file '{file}': {exception.Message}");
                return null;
            }
        }

        if (readStandardInput)
        {
            Append(batch, await UrlListParser.ParseAsync(Console.In, "stdin", cancellationToken));
        }

        return batch;
    }

    private static void Append(InputBatch target, InputBatch source)
    {
        target.Requests.AddRange(source.Requests);
        target.Skipped.AddRange(source.Skipped);
    }
}
