namespace Haul.Input;

/// <summary>What was read from the inputs: the requests to download and the entries skipped.</summary>
public sealed class InputBatch
{
    /// <summary>Valid requests, in input order.</summary>
    public List<DownloadRequest> Requests { get; } = [];

    /// <summary>Entries skipped, with the rule each broke.</summary>
    public List<SkippedInput> Skipped { get; } = [];
}
