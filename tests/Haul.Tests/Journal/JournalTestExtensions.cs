using Haul.Input;
using Haul.Journal;

namespace Haul.Tests.Journal;

internal static class JournalTestExtensions
{
    /// <summary>Adds a batch of requests, trusting that done items' files are intact.</summary>
    public static Task<JournalAddResult> AddAsync(this IJobJournal journal, IReadOnlyList<DownloadRequest> requests, CancellationToken cancellationToken) =>
        journal.AddAsync(requests, null, cancellationToken);
}
