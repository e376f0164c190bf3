using System.Threading.Channels;

namespace Haul.Journal;

/// <summary>How a journal's writer gathers the updates that share one commit; the same for every journal.</summary>
internal static class UpdateBatches
{
    /// <summary>
    /// Waits for updates, then gathers what arrives within <paramref name="window"/> into <paramref name="batch"/>, at
    /// most <paramref name="max"/>; a waiter (a <see cref="TaskCompletionSource"/>: a flush or a commit) ends the window
    /// at once, or, when <paramref name="committers"/> workers may be committing at once, within
    /// <paramref name="linger"/> or as soon as that many waiters are in (a group commit: the others' commits arriving
    /// meanwhile share the transaction). The windows are wall-clock time on purpose: they are throughput knobs, not
    /// deadlines a test would want to control. False when the channel is complete and empty.
    /// </summary>
    public static async Task<bool> GatherAsync(
        ChannelReader<object> reader, List<object> batch, int max, TimeSpan window, TimeSpan linger = default, int committers = 1)
    {
        if (!await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            return false;
        }

        using var gathering = new CancellationTokenSource(window);
        var waiters = 0;
        try
        {
            while (batch.Count < max)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    if (next is TaskCompletionSource)
                    {
                        waiters++;
                        if (waiters >= committers || linger <= TimeSpan.Zero)
                        {
                            break;
                        }

                        if (waiters == 1)
                        {
                            gathering.CancelAfter(linger);
                        }
                    }

                    continue;
                }

                if (!await reader.WaitToReadAsync(gathering.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return true;
    }
}
