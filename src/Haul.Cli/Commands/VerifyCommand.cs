using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Journal;
using Haul.Text;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Commands;

/// <summary>
/// <c>haul verify</c>: re-hashes every done file of a job and re-queues the ones that do not match; with
/// <c>--journal</c> and <c>--job</c>, the done files a worker folder of a shared job holds.
/// </summary>
internal static class VerifyCommand
{
    private const int MaxListed = 20;

    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "An output folder of 'haul get' or 'haul crawl', or a worker's folder of a shared job (with --journal and --job)." };
        var shared = new SharedJobOptions();
        var command = new Command(
            "verify",
            "Re-hash every done file of a job; missing or changed files are put back to pending for the next run (of a shared job: for any worker).") { folder };
        shared.AddTo(command, withLease: false);
        HelpWithExamples.WithExamples(command, """
              haul verify images
              haul get -o images          fetch again what verify re-queued (of a crawl: its haul crawl command)
              haul verify --journal postgres://haul@db.example/haul --job cats images
              haul worker --journal postgres://haul@db.example/haul --job cats -o images   fetch them again
            """);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(folder)!;
            SharedJob? job = null;
            if (shared.Given(result) && (job = shared.Read(result, mustExist: true)) is null)
            {
                return ExitCodes.Usage;
            }

            try
            {
                var report = job is null
                    ? await JobVerifier.VerifyAsync(path, null, cancellationToken)
                    : await JobVerifier.VerifyAsync(job, path, null, cancellationToken);
                foreach (var problem in report.Problems.Take(MaxListed))
                {
                    Console.WriteLine($"  {PrintableText.Of(problem.OutputPath)}: {PrintableText.Of(problem.Problem)}");
                }

                if (report.Problems.Count > MaxListed)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.Problems.Count - MaxListed} more"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"verified {report.Checked} done files: {report.Intact} intact ({Units.Bytes(report.IntactBytes)}), {report.Problems.Count} missing or changed"));
                if (report.Problems.Count == 0)
                {
                    return ExitCodes.Success;
                }

                Console.WriteLine(job is null
                    ? report.Crawl
                        ? $"they are pending again: run the folder's haul crawl command again (same start pages and options, -o {path}) to fetch them"
                        : $"they are pending again: run 'haul get -o {path}' (or the job's own command) to fetch them"
                    : $"they are pending again in the shared job '{job.Name}': run 'haul worker --journal … --job {job.Name} -o {path}' (or any worker) to fetch them");
                return ExitCodes.SomeFailed;
            }
            catch (Exception exception) when (CliError.IsUsageProblem(exception) || exception is JournalUnavailableException)
            {
                return CliError.Usage(exception.Message);
            }
            catch (SqliteException exception)
            {
                return CliError.Usage($"the journal '{SqliteJobJournal.DatabasePath(path)}' cannot be read: {exception.Message}");
            }
            catch (Exception exception) when (exception is JournalWriteException or DiskFullException or IOException)
            {
                return CliError.Failure(exception.Message);
            }
        });
        return command;
    }
}
