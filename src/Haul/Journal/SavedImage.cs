namespace Haul.Journal;

/// <summary>A done image of a crawl, with the pages it was found on: one line of <c>images.jsonl</c>.</summary>
/// <param name="Url">The image's URL.</param>
/// <param name="OutputPath">Where it was saved, relative to the output folder.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lowercase hex.</param>
/// <param name="ContentType">The media type the server gave it.</param>
/// <param name="PagesJson">
/// A JSON array of <c>{"url", "alt"}</c> objects, one for each page it was found on, the first
/// <see cref="MaxPagesListed"/> of them (a logo is on every page).
/// </param>
/// <param name="PageCount">How many pages it was found on.</param>
public sealed record SavedImage(string Url, string OutputPath, long Bytes, string? Sha256, string? ContentType, string PagesJson, int PageCount)
{
    /// <summary>The most pages listed for one image.</summary>
    public const int MaxPagesListed = 100;

    /// <summary>
    /// In a job many workers share: the folder that holds it (<c>machine:path</c> of the worker that saved it), to
    /// which <see cref="OutputPath"/> is relative; null in a job of one folder.
    /// </summary>
    public string? Folder { get; init; }
}
