using System.IO.Compression;
using Haul.Engine;
using Haul.Fetching;

namespace Haul.Tests.Fetching;

/// <summary>A content-coded body that expands out of all proportion fails its item as too large; the job goes on.</summary>
public sealed class CompressionBombTests
{
    [Fact]
    public async Task A_gzip_bomb_fails_its_item_as_too_large_without_a_file_and_the_next_item_is_saved()
    {
        var bomb = Gzip(new byte[256L << 20]);
        // A real file that compresses far better than 100:1 (a near-white uncompressed scan) is no bomb.
        var plain = new byte[40 << 20];
        new Random(3).NextBytes(plain.AsSpan(0, 1024));
        var small = Gzip(plain);
        await using var bombServer = ScriptedServer.Start(ScriptedServer.Respond(Head(bomb.Length), bomb));
        await using var fileServer = ScriptedServer.Start(ScriptedServer.Respond(Head(small.Length), small));
        using var output = new TempFolder();
        var bombUrl = new Uri(bombServer.BaseUri, "bomb.bin");
        var fileUrl = new Uri(fileServer.BaseUri, "zeros.bin");

        var report = await DownloadJob.RunAsync(TestSupport.FastOptions(output.Path), TestSupport.Batch(bombUrl, fileUrl), null, CancellationToken.None);

        Assert.Equal(1, report.Done);
        var failure = Assert.Single(report.Failures);
        Assert.Equal(FailureReason.TooLarge, failure.Item.LastReason);
        Assert.Contains("expands beyond 100x", failure.Item.LastDetail, StringComparison.Ordinal);
        Assert.Single(bombServer.Requests);
        Assert.False(File.Exists(TestSupport.SavedPath(output.Path, bombUrl)));
        Assert.Equal(plain, await File.ReadAllBytesAsync(TestSupport.SavedPath(output.Path, fileUrl)));
        Assert.True(bomb.Length < 1 << 20, $"the bomb is {bomb.Length} bytes on the wire");
        Assert.InRange(report.BytesReceived, small.Length, bomb.Length + small.Length);
    }

    [Fact]
    public async Task The_guard_stops_reading_at_its_bound_and_names_both_sizes()
    {
        var bomb = Gzip(new byte[256L << 20]);
        await using var guarded = ExpansionGuardStream.Create(new MemoryStream(bomb), wire => new GZipStream(wire, CompressionMode.Decompress));
        var buffer = new byte[64 * 1024];
        long decoded = 0;

        var error = await Assert.ThrowsAsync<ExpansionLimitException>(async () =>
        {
            while (await guarded.ReadAsync(buffer) is var read and > 0)
            {
                decoded += read;
            }
        });

        Assert.InRange(decoded, ExpansionGuardStream.Slack, (bomb.Length * ExpansionGuardStream.MaxRatio) + ExpansionGuardStream.Slack);
        Assert.Equal(FailureReason.TooLarge, FailureClassifier.ClassifyBody(error).Reason);
    }

    private static string Head(int length) =>
        $"HTTP/1.1 200 OK\nContent-Type: application/octet-stream\nContent-Encoding: gzip\nContent-Length: {length}\nConnection: close\n";

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
