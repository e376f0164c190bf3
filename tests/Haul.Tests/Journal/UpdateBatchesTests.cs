using System.Diagnostics;
using System.Threading.Channels;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>How the journals' writers gather updates into one commit: a waiter ends the window, or a group of them does.</summary>
public sealed class UpdateBatchesTests
{
    private static readonly TimeSpan LongWindow = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AWaiter_EndsTheWindowAtOnce_WhenOneWorkerCommits()
    {
        var channel = Channel.CreateUnbounded<object>();
        channel.Writer.TryWrite("update");
        channel.Writer.TryWrite(new TaskCompletionSource());
        channel.Writer.TryWrite("later");
        var batch = new List<object>();
        var clock = Stopwatch.StartNew();

        Assert.True(await UpdateBatches.GatherAsync(channel.Reader, batch, 100, LongWindow, TimeSpan.FromSeconds(30), committers: 1));

        Assert.Equal(2, batch.Count);
        Assert.IsType<TaskCompletionSource>(batch[1]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Commits_OfSeveralWorkers_ShareOneBatch_AndEndItWhenAllAreIn()
    {
        var channel = Channel.CreateUnbounded<object>();
        channel.Writer.TryWrite(new TaskCompletionSource());
        var batch = new List<object>();
        var clock = Stopwatch.StartNew();

        var gathering = UpdateBatches.GatherAsync(channel.Reader, batch, 100, LongWindow, TimeSpan.FromSeconds(30), committers: 3);
        await Task.Delay(50);
        Assert.False(gathering.IsCompleted);
        channel.Writer.TryWrite("update");
        channel.Writer.TryWrite(new TaskCompletionSource());
        channel.Writer.TryWrite(new TaskCompletionSource());
        channel.Writer.TryWrite("next batch");

        Assert.True(await gathering);
        Assert.Equal(4, batch.Count);
        Assert.Equal(3, batch.OfType<TaskCompletionSource>().Count());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ALingeringCommit_EndsAfterTheLinger_WhenTheOthersDoNotCome()
    {
        var channel = Channel.CreateUnbounded<object>();
        channel.Writer.TryWrite(new TaskCompletionSource());
        var batch = new List<object>();
        var clock = Stopwatch.StartNew();

        Assert.True(await UpdateBatches.GatherAsync(channel.Reader, batch, 100, LongWindow, TimeSpan.FromMilliseconds(200), committers: 16));

        Assert.Single(batch);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"took {clock.Elapsed}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }
}
