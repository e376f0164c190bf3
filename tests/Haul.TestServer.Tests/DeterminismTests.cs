namespace Haul.TestServer.Tests;

public sealed class DeterminismTests
{
    private static HostileServerOptions Options(int seed) => new()
    {
        Seed = seed,
        FileCount = 40,
        MinFileSize = 1000,
        MaxFileSize = 20_000,
        Faults = FaultProfile.Parse("internal-server-error=0.2,bad-gateway=0.2,max-faults-per-path=1"),
    };

    [Fact]
    public async Task Same_seed_gives_same_files_and_different_seed_differs()
    {
        await using var a = await HostileServer.StartAsync(Options(7));
        await using var b = await HostileServer.StartAsync(Options(7));
        await using var c = await HostileServer.StartAsync(Options(8));
        Assert.Equal([.. a.Files], [.. b.Files]);
        Assert.NotEqual(a.Files.Select(f => f.Sha256Hex), c.Files.Select(f => f.Sha256Hex));
    }

    [Fact]
    public async Task Same_seed_gives_same_fault_decisions_within_the_budget()
    {
        static async Task<int[]> StatusesAsync()
        {
            await using var server = await HostileServer.StartAsync(Options(3));
            var statuses = new List<int>();
            foreach (var file in server.Files.Take(20))
            {
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    statuses.Add((await RawHttp.RequestAsync(server, file.Path, "HEAD")).Status);
                }
            }

            Assert.InRange(server.Counters.FaultsByKind.Values.Sum(), 1, 20);
            return [.. statuses];
        }

        var first = await StatusesAsync();
        var second = await StatusesAsync();
        Assert.Equal(first, second);
        Assert.Contains(first, s => s != 200);

        // With a budget of one fault per path, at most one of the three attempts fails.
        for (var i = 0; i < first.Length; i += 3)
        {
            Assert.True(first.Skip(i).Take(3).Count(s => s != 200) <= 1);
        }
    }

    [Fact]
    public void Profiles_parse_and_report_errors()
    {
        Assert.Same(FaultProfile.Moderate, FaultProfile.Parse("Moderate"));
        Assert.Same(FaultProfile.Hostile, FaultProfile.Parse("hostile"));
        Assert.Same(FaultProfile.None, FaultProfile.Parse("none"));
        Assert.InRange(FaultProfile.Moderate.TotalRate, 0.14, 0.16);
        Assert.InRange(FaultProfile.Hostile.TotalRate, 0.38, 0.42);
        Assert.Equal(15, FaultProfile.Hostile.Rates.Count(p => p.Value > 0));

        var parsed = FaultProfile.Parse("reset-mid-body=0.1, stall=0.02,etag-changed=0.05");
        Assert.Equal(0.1, parsed.Rates[FaultKind.ResetMidBody]);
        Assert.Equal(0.05, parsed.Rates[FaultKind.ETagChanged]);
        Assert.Equal(parsed.Rates, FaultProfile.Parse(parsed.ToString()).Rates);
        Assert.Equal("none", FaultProfile.None.ToString());
        Assert.Same(FaultProfile.None, FaultProfile.Parse(FaultProfile.None.ToString()));

        Assert.Contains("bogus", Assert.Throws<FormatException>(() => FaultProfile.Parse("bogus=0.1")).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => FaultProfile.Parse("stall=2"));
        Assert.Throws<FormatException>(() => FaultProfile.Parse("stall=0.6,truncate=0.6"));
        Assert.Throws<FormatException>(() => FaultProfile.Parse("stale-reset=0.1"));
        Assert.Throws<FormatException>(() => FaultProfile.Parse("stall"));
    }

    [Fact]
    public void Validate_names_every_bad_field()
    {
        var options = new HostileServerOptions { Port = -1, MinFileSize = 0, SlowDripBytesPerSecond = 0, Ban = new BanOptions(0, TimeSpan.Zero) };
        var message = Assert.Throws<ArgumentException>(options.Validate).Message;
        foreach (var field in new[] { "Port", "MinFileSize", "SlowDripBytesPerSecond", "Ban.RequestsPerSecond", "Ban.Duration" })
        {
            Assert.Contains(field, message, StringComparison.Ordinal);
        }

        new HostileServerOptions().Validate();
    }

    [Fact]
    public void Signatures_are_detected()
    {
        Assert.Equal("image/png", ImageSignatures.DetectContentType(ImageSignatures.Png));
        Assert.Equal("image/gif", ImageSignatures.DetectContentType(ImageSignatures.Gif));
        Assert.Equal("text/html", ImageSignatures.DetectContentType("<!DOCTYPE html>"u8));
        Assert.Equal("application/octet-stream", ImageSignatures.DetectContentType([1, 2, 3]));
    }
}
