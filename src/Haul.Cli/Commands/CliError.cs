namespace Haul.Cli.Commands;

/// <summary>Prints one-line errors: what went wrong and where, never a stack trace.</summary>
internal static class CliError
{
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"haul: {message}");
        return ExitCodes.Usage;
    }

    public static int Failure(string message)
    {
        Console.Error.WriteLine($"haul: {message}");
        return ExitCodes.SomeFailed;
    }
}
