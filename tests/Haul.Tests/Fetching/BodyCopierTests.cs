using Haul.Engine;
using Haul.Fetching;
using Haul.Writing;
using Microsoft.Extensions.Time.Testing;

namespace Haul.Tests.Fetching;

/// <summary>The stall deadline and the hedge race of one body, on a fake clock: no waiting, no network.</summary>
public sealed class BodyCopierTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StalledBody_HedgeArrivesFirst_CarriesTheCopyOn()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        var progress = new JobProgress();
        using var copier = new BodyCopier(new HaulOptions { TimeProvider = time }, progress);
        var data = Bytes(200_000);
        var original = new StallingStream(data.AsMemory(0, 50_000), data.AsMemory(50_000));
        long? hedgedFrom = null;
        var writer = await VerifiedWriter.OpenAsync(Path.Combine(folder.Path, "a.part"), 0, CancellationToken.None);
        await using (writer)
        {
            var copy = copier.CopyAsync(
                _ => Task.FromResult<Stream>(original), writer, false, null, Deadline,
                (from, _) =>
                {
                    hedgedFrom = from;
                    return Task.FromResult<Stream?>(new MemoryStream(data, (int)from, data.Length - (int)from));
                },
                CancellationToken.None);
            await original.Stalled.WaitAsync(Wait);
            time.Advance(Deadline - TimeSpan.FromMilliseconds(1));
            Assert.Null(hedgedFrom);
            time.Advance(TimeSpan.FromMilliseconds(1));

            var result = await copy.WaitAsync(Wait);

            Assert.Equal(FailureReason.None, result.Failure.Reason);
            Assert.Equal(1, result.Hedges);
            Assert.Equal(1, result.HedgesWon);
            Assert.Equal(50_000, hedgedFrom);
            Assert.True(original.Disposed);
            Assert.Equal(data.Length, writer.Length);
            Assert.Equal(Sha256(data), await writer.FinishAsync(null, CancellationToken.None));
        }

        Assert.Equal(1, progress.Hedges);
        Assert.Equal(1, progress.HedgesWon);
    }

    [Fact]
    public async Task StalledBody_OriginalResumesFirst_KeepsTheOriginalAndCancelsTheHedge()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        using var copier = new BodyCopier(new HaulOptions { TimeProvider = time }, new JobProgress());
        var data = Bytes(100_000);
        var original = new StallingStream(data.AsMemory(0, 30_000), data.AsMemory(30_000));
        var hedgeCancelled = new TaskCompletionSource();
        var hedgeStarted = new TaskCompletionSource();
        var writer = await VerifiedWriter.OpenAsync(Path.Combine(folder.Path, "a.part"), 0, CancellationToken.None);
        await using (writer)
        {
            var copy = copier.CopyAsync(
                _ => Task.FromResult<Stream>(original), writer, false, null, Deadline,
                async (_, token) =>
                {
                    hedgeStarted.SetResult();
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, token);
                    }
                    catch (OperationCanceledException)
                    {
                        hedgeCancelled.SetResult();
                        throw;
                    }

                    return null;
                },
                CancellationToken.None);
            await original.Stalled.WaitAsync(Wait);
            time.Advance(Deadline);
            await hedgeStarted.Task.WaitAsync(Wait);
            original.Resume();

            var result = await copy.WaitAsync(Wait);

            Assert.Equal(FailureReason.None, result.Failure.Reason);
            Assert.Equal(1, result.Hedges);
            Assert.Equal(0, result.HedgesWon);
            await hedgeCancelled.Task.WaitAsync(Wait);
            Assert.Equal(Sha256(data), await writer.FinishAsync(null, CancellationToken.None));
        }
    }

    [Fact]
    public async Task StalledBody_NoHedgePossible_IsAStallAtTheDeadline()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        using var copier = new BodyCopier(new HaulOptions { TimeProvider = time }, new JobProgress());
        var data = Bytes(10_000);
        var original = new StallingStream(data.AsMemory(0, 4_000), data.AsMemory(4_000));
        var writer = await VerifiedWriter.OpenAsync(Path.Combine(folder.Path, "a.part"), 0, CancellationToken.None);
        await using (writer)
        {
            var copy = copier.CopyAsync(_ => Task.FromResult<Stream>(original), writer, false, null, Deadline, null, CancellationToken.None);
            await original.Stalled.WaitAsync(Wait);
            time.Advance(Deadline - TimeSpan.FromMilliseconds(1));
            Assert.False(copy.IsCompleted);
            time.Advance(TimeSpan.FromMilliseconds(1));

            var result = await copy.WaitAsync(Wait);

            Assert.Equal(FailureReason.BodyStall, result.Failure.Reason);
            Assert.Equal(0, result.Hedges);
            Assert.Equal(4_000, writer.Length);
        }
    }

    [Fact]
    public async Task StalledBody_HedgeRefused_IsAStall()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        using var copier = new BodyCopier(new HaulOptions { TimeProvider = time }, new JobProgress());
        var data = Bytes(10_000);
        var original = new StallingStream(data.AsMemory(0, 4_000), data.AsMemory(4_000));
        var writer = await VerifiedWriter.OpenAsync(Path.Combine(folder.Path, "a.part"), 0, CancellationToken.None);
        await using (writer)
        {
            var copy = copier.CopyAsync(
                _ => Task.FromResult<Stream>(original), writer, false, null, Deadline, (_, _) => Task.FromResult<Stream?>(null), CancellationToken.None);
            await original.Stalled.WaitAsync(Wait);
            time.Advance(Deadline);

            var result = await copy.WaitAsync(Wait);

            Assert.Equal(FailureReason.BodyStall, result.Failure.Reason);
            Assert.Equal(1, result.Hedges);
            Assert.Equal(0, result.HedgesWon);
        }
    }

    [Fact]
    public async Task SteadyBody_RecordsItsLongestRead()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        using var copier = new BodyCopier(new HaulOptions { TimeProvider = time }, new JobProgress());
        var data = Bytes(10_000);
        var original = new StallingStream(data.AsMemory(0, 4_000), data.AsMemory(4_000));
        var writer = await VerifiedWriter.OpenAsync(Path.Combine(folder.Path, "a.part"), 0, CancellationToken.None);
        await using (writer)
        {
            var copy = copier.CopyAsync(_ => Task.FromResult<Stream>(original), writer, false, null, Deadline, null, CancellationToken.None);
            await original.Stalled.WaitAsync(Wait);
            time.Advance(TimeSpan.FromMilliseconds(1500));
            original.Resume();

            var result = await copy.WaitAsync(Wait);

            Assert.Equal(FailureReason.None, result.Failure.Reason);
            Assert.Equal(TimeSpan.FromMilliseconds(1500), result.LongestRead);
        }
    }

    private static byte[] Bytes(int count)
    {
        var data = new byte[count];
        new Random(count).NextBytes(data);
        return data;
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));

    /// <summary>Gives its first part, then waits (until resumed or cancelled), then gives the rest.</summary>
    private sealed class StallingStream(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> rest) : Stream
    {
        private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ReadOnlyMemory<byte> _first = first;
        private ReadOnlyMemory<byte> _rest = rest;

        public Task Stalled => _stalled.Task;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Resume() => _resumed.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_first.IsEmpty)
            {
                return Take(ref _first, buffer);
            }

            if (!_resumed.Task.IsCompleted)
            {
                _stalled.TrySetResult();
                await _resumed.Task.WaitAsync(cancellationToken);
            }

            return Take(ref _rest, buffer);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }

        private static int Take(ref ReadOnlyMemory<byte> source, Memory<byte> buffer)
        {
            var count = Math.Min(source.Length, buffer.Length);
            source[..count].CopyTo(buffer);
            source = source[count..];
            return count;
        }
    }
}
