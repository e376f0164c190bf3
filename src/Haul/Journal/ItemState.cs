namespace Haul.Journal;

/// <summary>Where an item is in its life. Done, failed and skipped are terminal.</summary>
public enum ItemState
{
    /// <summary>Waiting to be fetched.</summary>
    Pending = 0,

    /// <summary>Being fetched; an item found in this state at start-up was interrupted and becomes pending.</summary>
    InProgress = 1,

    /// <summary>Fetched, verified and at its final path.</summary>
    Done = 2,

    /// <summary>Given up, with a classified reason.</summary>
    Failed = 3,

    /// <summary>Never fetched, because a rule skipped it.</summary>
    Skipped = 4,
}
