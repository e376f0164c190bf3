using Haul.Engine;
using Haul.Journal;
using Haul.Text;

namespace Haul.Cli.Commands;

/// <summary>Prints one-line errors: what went wrong and where, never a stack trace.</summary>
internal static class CliError
{
    /// <summary>Problems with what the user asked for (the folder, a busy journal, a shared job that does not exist): exit code 2.</summary>
    public static bool IsUsageProblem(Exception exception) => exception is OutputFolderException or JournalLockedException or JournalJobNotFoundException or JobMismatchException;

    public static int Usage(string message)
    {
        Console.Error.WriteLine($"haul: {PrintableText.Of(message, PrintableText.LongMaxLength)}");
        return ExitCodes.Usage;
    }

    public static int Failure(string message)
    {
        Console.Error.WriteLine($"haul: {PrintableText.Of(message, PrintableText.LongMaxLength)}");
        return ExitCodes.SomeFailed;
    }

    /// <summary>Whatever went wrong, one line; HAUL_TRACE=1 shows the whole exception for a bug report.</summary>
    public static int Unexpected(Exception exception) =>
        Environment.GetEnvironmentVariable("HAUL_TRACE") == "1"
            ? Trace(exception)
            : Failure($"unexpected error ({exception.GetType().Name}): {exception.Message}; run the same command again to resume, finished files are kept");

    private static int Trace(Exception exception)
    {
        Console.Error.WriteLine($"haul: {exception}");
        return ExitCodes.SomeFailed;
    }
}
