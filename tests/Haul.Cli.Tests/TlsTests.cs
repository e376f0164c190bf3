using Haul.TestServer;

namespace Haul.Cli.Tests;

public sealed class TlsTests
{
    private const string InsecureWarning = "haul: warning: --insecure: TLS certificates are not verified";

    private static Task<HostileServer> StartAsync(ServerCertificateKind certificate = ServerCertificateKind.IssuedByCa) =>
        HostileServer.StartAsync(new HostileServerOptions
        {
            Seed = 7,
            FileCount = 3,
            MinFileSize = 2 * 1024,
            MaxFileSize = 64 * 1024,
            Tls = new ServerTls { Certificate = certificate },
        });

    [Fact]
    public async Task Get_with_cacert_of_the_servers_ca_downloads_over_https_and_exits_0()
    {
        await using var server = await StartAsync();
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var caFile = folder.Combine("ca.pem");
        await server.WriteCaCertificateAsync(caFile);
        var urls = server.FileUrls.ToList();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--cacert", caFile, "-o", output, "--no-progress", .. urls.Select(u => u.AbsoluteUri)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.DoesNotContain("warning", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("3 done, 0 failed, 0 skipped of 3", result.Stdout, StringComparison.Ordinal);
        Assert.All(urls, u => Assert.StartsWith("https://127.0.0.1:", u.AbsoluteUri, StringComparison.Ordinal));
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }
    }

    [Fact]
    public async Task Get_https_without_cacert_fails_tls_once_and_exits_1()
    {
        await using var server = await StartAsync();
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var url = server.FileUrls.First();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", url.AbsoluteUri]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Contains("  tls: certificate not trusted (unknown issuer): " + url.AbsoluteUri, result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Support.MappedPath(output, url)));
        Assert.Equal(0, server.Counters.Requests);
        using var report = Support.ParseReport(output);
        var failure = Assert.Single(report.RootElement.GetProperty("failures").EnumerateArray().ToList());
        Assert.Equal("tls", failure.GetProperty("reason").GetString());
        Assert.Contains("not trusted", failure.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, failure.GetProperty("attempts").GetArrayLength());
    }

    [Fact]
    public async Task Get_insecure_accepts_a_certificate_for_another_name_and_warns_once()
    {
        await using var server = await StartAsync(ServerCertificateKind.WrongName);
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var urls = server.FileUrls.ToList();

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-k", "-o", output, "--no-progress", .. urls.Select(u => u.AbsoluteUri)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Support.AssertNoStackTrace(result);
        Assert.Single(result.StderrLines, l => l == InsecureWarning);
        Assert.DoesNotContain(InsecureWarning, result.Stdout, StringComparison.Ordinal);
        foreach (var url in urls)
        {
            await Support.AssertFileMatchesServerAsync(server, output, url);
        }
    }

    [Theory]
    [InlineData("missing.pem", null, "does not exist")]
    [InlineData("notes.pem", "no certificate in here\n", "holds no PEM certificate")]
    public async Task Get_with_an_unusable_cacert_exits_2_with_one_line_naming_the_file(string name, string? content, string problem)
    {
        using var folder = new TestFolder();
        var caFile = folder.Combine(name);
        if (content is not null)
        {
            await File.WriteAllTextAsync(caFile, content);
        }

        var output = folder.Combine("out");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "--cacert", caFile, "-o", output, "--no-progress", "https://127.0.0.1:9/x.jpg"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Support.AssertNoStackTrace(result);
        var line = Assert.Single(result.StderrLines);
        Assert.Contains($"'{caFile}'", line, StringComparison.Ordinal);
        Assert.Contains(problem, line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output));
    }
}
