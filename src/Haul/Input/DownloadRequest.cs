namespace Haul.Input;

/// <summary>One URL to download, with what the input said about it.</summary>
/// <param name="Url">An absolute http or https URL.</param>
/// <param name="OutputPath">A path relative to the output folder chosen by the input, or null for the mirrored layout.</param>
/// <param name="ExpectedSha256">The SHA-256 (lowercase hex) the file must have, or null.</param>
/// <param name="Source">Where it came from, e.g. <c>urls.txt:12</c>, for reports about this entry.</param>
public sealed record DownloadRequest(Uri Url, string? OutputPath = null, string? ExpectedSha256 = null, string? Source = null) : InputEntry
{
    /// <summary>
    /// The credentials the input's URL carried (<c>https://user:password@host/…</c>), taken out of <see cref="Url"/>;
    /// null for none. They are held in memory for the run only, never written to the journal, a report or a log, and
    /// go only to the URL's own origin.
    /// </summary>
    public System.Net.NetworkCredential? Credential { get; init; }
}
