using Haul.Fetching;

namespace Haul.Journal;

/// <summary>A job's totals, read from aggregates the journal keeps up to date.</summary>
public sealed class JournalCounts
{
    private readonly Dictionary<ItemState, (int Items, long Bytes)> _byState = [];
    private readonly Dictionary<ItemState, int> _pagesByState = [];

    /// <summary>Failed items by reason.</summary>
    public Dictionary<FailureReason, int> FailuresByReason { get; } = [];

    /// <summary>Skipped input entries.</summary>
    public int SkippedEntries { get; set; }

    /// <summary>Done items that kept a different earlier file as a backup.</summary>
    public int Backups { get; set; }

    /// <summary>Items in a state.</summary>
    public int Items(ItemState state) => _byState.GetValueOrDefault(state).Items;

    /// <summary>Bytes of the items in a state.</summary>
    public long Bytes(ItemState state) => _byState.GetValueOrDefault(state).Bytes;

    /// <summary>Pages of a crawl in a state (they are counted among <see cref="Items"/> too).</summary>
    public int Pages(ItemState state) => _pagesByState.GetValueOrDefault(state);

    internal void Add(ItemState state, int items, long bytes) => _byState[state] = (items, bytes);

    internal void AddPages(ItemState state, int pages) => _pagesByState[state] = pages;
}
