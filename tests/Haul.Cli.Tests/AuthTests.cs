using System.Globalization;
using System.Text;
using Haul.TestServer;

namespace Haul.Cli.Tests;

/// <summary>HTTP Basic and Digest through the real CLI: from -u, from the URL and from a netrc, to their origin and no other.</summary>
public sealed class AuthTests
{
    private const string User = "alice";
    private const string Password = "s3cret:pw";

    [Theory]
    [InlineData("user", "basic")]
    [InlineData("user", "digest/md5")]
    [InlineData("user", "digest/sha-256")]
    [InlineData("url", "basic")]
    [InlineData("url", "digest/sha-256")]
    [InlineData("netrc", "basic")]
    [InlineData("netrc", "digest/md5")]
    public async Task Credentials_reach_their_origin_and_no_other(string source, string route)
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 11, FileCount = 3, MinFileSize = 1024, MaxFileSize = 4096 });
        var files = server.FileUrls.ToArray();
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var port = server.BaseUri.Port.ToString(CultureInfo.InvariantCulture);
        var guarded = new Uri(server.BaseUri, $"/auth/{route}{files[0].AbsolutePath}");

        // The same server under another name is another origin; a redirect leads there, to a route that asks again.
        var elsewhere = new Uri($"http://localhost:{port}/auth/{route}{files[1].AbsolutePath}");
        var redirect = new Uri(server.BaseUri, "/redirect-to?url=" + Uri.EscapeDataString(elsewhere.AbsoluteUri));
        var first = source == "url" ? $"http://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{port}{guarded.PathAndQuery}" : guarded.AbsoluteUri;
        List<string> args = ["get", first, redirect.AbsoluteUri, "-o", output, "-j", "1", "--per-host", "1", "--tries", "1", "--no-progress"];
        var home = folder.Combine("home");
        Directory.CreateDirectory(home);
        switch (source)
        {
            case "user":
                args.AddRange(["-u", $"{User}:{Password}"]);
                break;
            case "netrc":
                var netrc = folder.Combine("netrc");
                await File.WriteAllTextAsync(netrc, $"machine localhost login mallory password wrong\nmachine 127.0.0.1\n  login {User}\n  password \"{Password}\"\n");
                args.AddRange(["--netrc-file", netrc]);
                break;
        }

        var result = await HaulProcess.RunAsync(folder.Path, args, environment: new Dictionary<string, string> { ["HOME"] = home });

        // The guarded file is done; the item redirected to the other origin met its 401 without a credential.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(server.GetFile(files[0].AbsolutePath).Sha256Hex, await Support.Sha256OfFileAsync(Support.MappedPath(output, guarded)));
        var log = server.Counters.Log;
        Assert.Contains(log, r => r.Path == guarded.AbsolutePath && r.Status == 200 && r.Authorization is not null);
        var onOrigin = log.Where(r => r.Header("Host") == "127.0.0.1:" + port && r.Authorization is not null).ToList();
        Assert.All(onOrigin, r => Assert.StartsWith(route == "basic" ? "Basic " : "Digest ", r.Authorization, StringComparison.Ordinal));
        var toOther = log.Where(r => r.Header("Host") == "localhost:" + port).ToList();
        Assert.NotEmpty(toOther);
        Assert.All(toOther, r => Assert.Null(r.Authorization));
        Assert.All(toOther, r => Assert.Equal(401, r.Status));

        // The password (plain or percent-encoded) is nowhere Haul writes: not in its output, its report, its failures,
        // its journal, its file names.
        const string Secret = "s3cret";
        Assert.DoesNotContain(Secret, result.Stdout + result.Stderr, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(output, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Secret, file, StringComparison.Ordinal);
            if (!file.Contains(files[0].Segments[^1], StringComparison.Ordinal))
            {
                Assert.DoesNotContain(Secret, Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Wrong_credentials_fail_the_item_after_one_answer_without_retrying_the_challenge()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 12, FileCount = 1, MinFileSize = 1024, MaxFileSize = 2048 });
        var guarded = new Uri(server.BaseUri, $"/auth/digest/sha-256{server.FileUrls.First().AbsolutePath}");
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", guarded.AbsoluteUri, "-o", folder.Combine("out"), "--tries", "1", "--no-progress", "-u", "alice:wrong"]);

        Assert.Equal(1, result.ExitCode);
        var requests = server.Counters.Log.Where(r => r.Path == guarded.AbsolutePath).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Null(requests[0].Authorization);
        Assert.StartsWith("Digest username=\"alice\"", requests[1].Authorization, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-u", "alice", "--user 'alice' has no password")]
    [InlineData("-u", ":pw", "--user has an empty user name")]
    [InlineData("--netrc-file", "/nonexistent/netrc", "the netrc file '/nonexistent/netrc' cannot be read")]
    public async Task Bad_credentials_options_are_one_line_usage_errors(string option, string value, string expected)
    {
        using var folder = new TestFolder();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), option, value]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Netrc_without_home_is_a_one_line_usage_error_and_never_the_current_folders_netrc()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var folder = new TestFolder();
        await File.WriteAllTextAsync(folder.Combine(".netrc"), "machine 127.0.0.1 login planted password planted\n");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "http://127.0.0.1:9/a.jpg", "-o", folder.Combine("out"), "--netrc"], environment: new Dictionary<string, string> { ["HOME"] = string.Empty });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("haul: --netrc: HOME is not set to an absolute path, so there is no ~/.netrc; give --netrc-file FILE", Assert.Single(result.StderrLines));
        Assert.False(Directory.Exists(folder.Combine("out")));
    }

    [Fact]
    public async Task A_401_is_reported_as_unauthorized_and_a_403_as_forbidden_and_neither_is_retried()
    {
        await using var server = await HostileServer.StartAsync(new HostileServerOptions { Seed = 12, FileCount = 1, MinFileSize = 1024, MaxFileSize = 2048 });
        var guarded = new Uri(server.BaseUri, $"/auth/basic{server.FileUrls.First().AbsolutePath}");
        var refused = new Uri(server.BaseUri, "/status/403");
        using var folder = new TestFolder();
        var output = folder.Combine("out");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", guarded.AbsoluteUri, refused.AbsoluteUri, "-o", output, "--no-progress"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(server.Counters.Log, r => r.Path == guarded.AbsolutePath);
        Assert.Single(server.Counters.Log, r => r.Path == refused.AbsolutePath);
        Assert.Contains((result.Stdout + "\n" + result.Stderr).Split('\n'), l => l.Contains("unauthorized (HTTP 401)", StringComparison.Ordinal) && l.Contains(guarded.AbsolutePath, StringComparison.Ordinal));
        using var report = Support.ParseReport(output);
        var reasons = report.RootElement.GetProperty("failures").EnumerateArray()
            .ToDictionary(f => f.GetProperty("url").GetString()!, f => f.GetProperty("reason").GetString()!);
        Assert.Equal("unauthorized", reasons[guarded.AbsoluteUri]);
        Assert.Equal("forbidden", reasons[refused.AbsoluteUri]);
        var byReason = report.RootElement.GetProperty("failuresByReason");
        Assert.Equal(1, byReason.GetProperty("unauthorized").GetInt32());
        Assert.Equal(1, byReason.GetProperty("forbidden").GetInt32());
        Assert.Contains("# unauthorized (HTTP 401)", await File.ReadAllTextAsync(Path.Combine(output, "failed.txt")), StringComparison.Ordinal);
    }
}
