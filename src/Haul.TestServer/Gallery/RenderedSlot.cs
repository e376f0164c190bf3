namespace Haul.TestServer;

/// <summary>The markup of one image slot and what a correct extractor takes from it.</summary>
/// <param name="Html">The slot's markup in the page body.</param>
/// <param name="StyleRule">A rule for the page's <c>&lt;style&gt;</c> block, or null.</param>
/// <param name="Found">Absolute URL of the image the slot yields (before robots), or null for a photo-page slot.</param>
/// <param name="PhotoId">The photo page's image id when the slot links to one.</param>
internal sealed record RenderedSlot(string Html, string? StyleRule, string? Found, string? PhotoId);
