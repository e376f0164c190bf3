namespace Haul.Discovery;

/// <summary>
/// One image of a page: its absolute URL (no fragment), the first non-empty <c>alt</c> (or <c>title</c>) and the
/// integer <c>width</c>/<c>height</c> of its <c>&lt;img&gt;</c>, and where its first occurrence was found.
/// </summary>
internal sealed record FoundImage(Uri Url, string? Alt, int? Width, int? Height, ImageSource Source);
