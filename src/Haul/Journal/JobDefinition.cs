namespace Haul.Journal;

/// <summary>A shared job's kind and, for a crawl, its options as a definition's text.</summary>
/// <param name="Kind">The job's kind; null while no command has given it work.</param>
/// <param name="Crawl">A crawl's options (the text <c>haul crawl</c> kept); null for a list.</param>
public sealed record JobDefinition(JobKind? Kind, string? Crawl = null);
