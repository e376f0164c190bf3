using System.CommandLine;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Journal;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Commands;

/// <summary><c>haul status</c>: what an output folder's journal says.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "An output folder of 'haul get'." };
        var command = new Command("status", "Show the state of a job from its output folder's journal.") { folder };
        HelpWithExamples.WithExamples(command, "  haul status images");
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(folder)!;
            try
            {
                var report = await DownloadJob.ReadStatusAsync(path, cancellationToken);
                Summary.Print(report, path);
                return report.Succeeded ? ExitCodes.Success : ExitCodes.SomeFailed;
            }
            catch (Exception exception) when (CliError.IsUsageProblem(exception))
            {
                return CliError.Usage(exception.Message);
            }
            catch (SqliteException exception)
            {
                return CliError.Usage($"the journal '{SqliteJobJournal.DatabasePath(path)}' cannot be read: {exception.Message}");
            }
        });
        return command;
    }
}
