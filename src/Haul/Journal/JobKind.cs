namespace Haul.Journal;

/// <summary>What a shared job is, fixed by the first command that gives it work: neither becomes the other.</summary>
public enum JobKind
{
    /// <summary>A list of URLs (<c>haul get</c>).</summary>
    List,

    /// <summary>A crawl (<c>haul crawl</c>), with its options kept in the job.</summary>
    Crawl,
}
