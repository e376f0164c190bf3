namespace Haul.Discovery;

/// <summary>One link of a page to a non-image http(s) URL (absolute, no fragment), with its strongest kind.</summary>
internal sealed record FoundLink(Uri Url, LinkKind Kind);
