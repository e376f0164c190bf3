using System.Diagnostics;
using Haul.Journal;

namespace Haul.Tests.Journal;

/// <summary>When a commit waits for others to share its transaction: only with several workers whose commits come fast.</summary>
public sealed class CommitGroupingTests
{
    private static long Ms(double milliseconds) => (long)(milliseconds * Stopwatch.Frequency / 1000);

    [Fact]
    public void Commits_LessThanTheLingerApart_FromSeveralWorkers_Linger()
    {
        var grouping = new CommitGrouping { Committers = 16 };
        for (var i = 1; i <= 20; i++)
        {
            grouping.Arrived(Ms(i * 0.5));
        }

        Assert.Equal(CommitGrouping.MaxLinger, grouping.Linger);
    }

    [Fact]
    public void Commits_OfASlowHost_DoNotLinger()
    {
        // 50 files a second: another commit is 20 ms away, far more than a linger could wait.
        var grouping = new CommitGrouping { Committers = 16 };
        for (var i = 1; i <= 20; i++)
        {
            grouping.Arrived(Ms(i * 20));
        }

        Assert.Equal(TimeSpan.Zero, grouping.Linger);
    }

    [Fact]
    public void OneWorker_NeverLingers_HoweverFastItCommits()
    {
        var grouping = new CommitGrouping();
        for (var i = 1; i <= 20; i++)
        {
            grouping.Arrived(Ms(i * 0.1));
        }

        Assert.Equal(TimeSpan.Zero, grouping.Linger);
    }

    [Fact]
    public void NothingKnownYet_DoesNotLinger()
    {
        var grouping = new CommitGrouping { Committers = 16 };
        Assert.Equal(TimeSpan.Zero, grouping.Linger);
        grouping.Arrived(Ms(1));
        Assert.Equal(TimeSpan.Zero, grouping.Linger);
    }
}
