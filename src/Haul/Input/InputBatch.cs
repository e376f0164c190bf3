namespace Haul.Input;

/// <summary>What was read from the inputs, held in memory: the requests to download and the entries skipped.</summary>
public sealed class InputBatch
{
    /// <summary>Valid requests, in input order.</summary>
    public List<DownloadRequest> Requests { get; } = [];

    /// <summary>Entries skipped, with the rule each broke.</summary>
    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>The entries as a stream: the skipped ones, then the requests.</summary>
    public async IAsyncEnumerable<InputEntry> ReadAsync()
    {
        foreach (var skipped in Skipped)
        {
            yield return skipped;
        }

        foreach (var request in Requests)
        {
            yield return request;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
