namespace Haul.Cli;

/// <summary>The process exit codes, as documented in the README.</summary>
internal static class ExitCodes
{
    /// <summary>Every item done (or skipped by a rule).</summary>
    public const int Success = 0;

    /// <summary>Some items failed, every input was skipped (nothing to download), or the job could not finish (disk full).</summary>
    public const int SomeFailed = 1;

    /// <summary>Bad usage: unknown options, a value out of range, no input, an unusable output folder, a locked journal.</summary>
    public const int Usage = 2;

    /// <summary>Interrupted (Ctrl+C); run the same command again to resume.</summary>
    public const int Interrupted = 130;
}
