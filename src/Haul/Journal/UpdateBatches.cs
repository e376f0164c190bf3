using System.Threading.Channels;

namespace Haul.Journal;

/// <summary>How a journal's writer gathers the updates that share one commit; the same for every journal.</summary>
internal static class UpdateBatches
{
    /// <summary>
    /// Waits for updates, then gathers what arrives within <paramref name="window"/> into <paramref name="batch"/>, at
    /// most <paramref name="max"/>; a waiter (a <see cref="TaskCompletionSource"/>: a flush or a commit) ends the window
    /// at once. The window is wall-clock time on purpose: it is a throughput knob, not a deadline a test would want to
    /// control. False when the channel is complete and empty.
    /// </summary>
    public static async Task<bool> GatherAsync(ChannelReader<object> reader, List<object> batch, int max, TimeSpan window)
    {
        if (!await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            return false;
        }

        using var gathering = new CancellationTokenSource(window);
        try
        {
            while (batch.Count < max)
            {
                if (reader.TryRead(out var next))
                {
                    batch.Add(next);
                    if (next is TaskCompletionSource)
                    {
                        break;
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
