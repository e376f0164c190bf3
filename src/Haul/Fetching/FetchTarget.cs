using Haul.Writing;

namespace Haul.Fetching;

/// <summary>What the fetcher knows about one item across its attempts: where it goes and what the server said of it.</summary>
internal sealed class FetchTarget
{
    public FetchTarget(long itemId, Uri url, string finalPath, string partPath, string? expectedSha256)
    {
        ItemId = itemId;
        Url = url;
        FinalPath = finalPath;
        PartPath = partPath;
        ExpectedSha256 = expectedSha256;
        CurrentUrl = url;
        CredentialOrigin = url;
    }

    public long ItemId { get; }

    /// <summary>The lease token of the claim the item is fetched under, carried by what is recorded of it; null: not guarded.</summary>
    public long? LeaseToken { get; init; }

    public Uri Url { get; }

    /// <summary>Where the current chain of redirects has got to; each attempt starts here, a retry at <see cref="Url"/>.</summary>
    public Uri CurrentUrl { get; set; }

    /// <summary>The URLs of the current chain of redirects, to detect loops and count hops across hosts.</summary>
    public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);

    public string FinalPath { get; }

    /// <summary>Where the body grows until verified; inside the output folder so that the final rename is atomic.</summary>
    public string PartPath { get; }

    public string? ExpectedSha256 { get; }

    /// <summary>
    /// The origin the user's credential headers (<c>-H Authorization</c>, <c>Cookie</c>) belong to: the item's own URL
    /// for an input line, a start page's origin for what a crawl found there, null (none) for what a crawl found
    /// elsewhere, so that a page cannot draw them to a host of its choosing.
    /// </summary>
    public Uri? CredentialOrigin { get; init; }

    /// <summary>A page to read for links, or a file to save.</summary>
    public Journal.ItemKind Kind { get; init; }

    /// <summary>The <c>Referer</c> to send with each request of the item; null for none.</summary>
    public string? Referer { get; init; }

    /// <summary>The most the body may hold, over the job's own limit; null for the job's.</summary>
    public long? MaxBytes { get; init; }

    /// <summary>The least the body may hold (a crawl's <c>--min-size</c>): a smaller announced size ends the attempt before the body.</summary>
    public long? MinBytes { get; init; }

    /// <summary>Why the item's recorded output path cannot be used (it would leave the output folder); null when it can.</summary>
    public string? Unusable { get; init; }

    /// <summary>The size of the verified file a run staged for the final path (committed before its rename).</summary>
    public long? StagedBytes { get; init; }

    /// <summary>The SHA-256 of the verified file a run staged for the final path.</summary>
    public string? StagedSha256 { get; init; }

    /// <summary>The SHA-256 of the last body that did not match <see cref="ExpectedSha256"/>.</summary>
    public string? LastMismatch { get; set; }

    /// <summary>The strong ETag of the bytes in the partial file.</summary>
    public string? ETag { get; set; }

    /// <summary>The Last-Modified of the bytes in the partial file.</summary>
    public DateTimeOffset? LastModified { get; set; }

    /// <summary>The full size announced for the bytes in the partial file.</summary>
    public long? TotalSize { get; set; }

    /// <summary>Starts the next attempt from the item's own URL again.</summary>
    public void RestartChain()
    {
        CurrentUrl = Url;
        Visited.Clear();
    }

    public bool HasValidator => ETag is not null || LastModified is not null;

    /// <summary>Deletes the partial file, and with it what was known of its bytes.</summary>
    public void DeletePart()
    {
        ForgetValidators();
        try
        {
            File.Delete(PartPath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A part file that cannot be deleted is truncated by the next attempt at it.
        }
    }

    public void ForgetValidators()
    {
        ETag = null;
        LastModified = null;
        TotalSize = null;
    }

    /// <summary>How many bytes of the partial file can be kept: all of them when a validator guards the resume, else none.</summary>
    public long PrepareResume()
    {
        switch (SafeFileSystem.Inspect(PartPath))
        {
            case EntryKind.None:
                return 0;
            case EntryKind.SymbolicLink:
                // Planted in Haul's own folder: removing a link never touches its target.
                File.Delete(PartPath);
                return 0;
        }

        var part = new FileInfo(PartPath);
        if (part.Length > 0 && HasValidator && (TotalSize is null || part.Length < TotalSize))
        {
            return part.Length;
        }

        DeletePart();
        return 0;
    }
}
