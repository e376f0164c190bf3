using Haul.Engine;

namespace Haul.Tests.Engine;

public sealed class HaulOptionsTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        var options = new HaulOptions();

        options.Validate();

        Assert.Equal(16, options.MaxConcurrency);
        Assert.Equal(4, options.MaxConcurrencyPerHost);
        Assert.Equal(8, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(20), options.StallTimeout);
    }

    [Fact]
    public void Validate_ManyProblems_ListsEveryOneInOneException()
    {
        var options = new HaulOptions
        {
            OutputDirectory = " ",
            MaxConcurrency = 0,
            MaxConcurrencyPerHost = -1,
            MaxAttempts = 0,
            ConnectTimeout = TimeSpan.Zero,
            ResponseHeadersTimeout = TimeSpan.FromSeconds(-1),
            StallTimeout = TimeSpan.Zero,
            ItemTimeout = TimeSpan.Zero,
            LowSpeedTime = TimeSpan.Zero,
            PooledConnectionIdleTimeout = TimeSpan.Zero,
            LowSpeedLimit = -1,
            RetryBaseDelay = TimeSpan.FromSeconds(5),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            MaxStaleRetries = -1,
            MaxFileSize = 0,
            Headers = [new("Bad Header", "x"), new("X-Ok", "y"), new("X:Colon", "z")],
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        string[] expected =
        [
            "the output folder is empty",
            "concurrency (-j) must be at least 1",
            "per-host concurrency must be at least 1",
            "attempts (--tries) must be at least 1",
            "connect timeout must be positive",
            "response headers timeout must be positive",
            "stall timeout must be positive",
            "item timeout must be positive",
            "low speed time must be positive",
            "pooled connection idle timeout must be positive",
            "the low speed limit must not be negative",
            "retry delays must satisfy 0 <= base delay <= max delay",
            "stale retries and redirects must not be negative",
            "the maximum file size must be positive",
            "the header name 'Bad Header' is not a valid HTTP header name",
            "the header name 'X:Colon' is not a valid HTTP header name",
        ];
        foreach (var problem in expected)
        {
            Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("X-Ok", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1000)]
    [InlineData(1000, 1000)]
    public void Validate_RetryDelaysInOrder_Accepted(int baseMs, int maxMs) =>
        new HaulOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(baseMs), RetryMaxDelay = TimeSpan.FromMilliseconds(maxMs) }.Validate();

    [Fact]
    public async Task RunAsync_InvalidOptions_ThrowsBeforeTouchingTheDisk()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "out");

        await Assert.ThrowsAsync<ArgumentException>(() =>
            DownloadJob.RunAsync(new HaulOptions { OutputDirectory = output, MaxConcurrency = 0 }, new Haul.Input.InputBatch(), null, CancellationToken.None));

        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Validate_TrustedCertificateFiles_NamesEveryUnusableFileAndAcceptsABundle()
    {
        using var folder = new TempFolder();
        var bundle = Path.Combine(folder.Path, "bundle.pem");
        var missing = Path.Combine(folder.Path, "missing.pem");
        var notPem = Path.Combine(folder.Path, "not-pem.pem");
        var malformed = Path.Combine(folder.Path, "malformed.pem");
        await File.WriteAllTextAsync(bundle, "# two CAs\n" + SelfSignedPem("CN=One") + SelfSignedPem("CN=Two"));
        await File.WriteAllTextAsync(notPem, "just some text\n");
        await File.WriteAllTextAsync(malformed, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        var options = new HaulOptions { TrustedCertificateFiles = [bundle, missing, notPem, malformed] };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains($"the trusted certificate file '{missing}' (--cacert) does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the trusted certificate file '{notPem}' (--cacert) holds no PEM certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains($"the trusted certificate file '{malformed}' (--cacert) holds a malformed PEM certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bundle, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        new HaulOptions { TrustedCertificateFiles = [bundle] }.Validate();
        Assert.Equal(["CN=One", "CN=Two"], Haul.Fetching.TrustedCertificates.Load([bundle]).Select(c => c.Subject));
    }

    private static string SelfSignedPem(string subject)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(subject, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem() + "\n";
    }
}
