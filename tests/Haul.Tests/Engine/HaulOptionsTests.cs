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

    [Fact]
    public void Validate_TimeSpansLongerThanATimerCanWait_ListsEachOne()
    {
        var tooLong = TimeSpan.FromMilliseconds(uint.MaxValue);
        var options = new HaulOptions
        {
            ConnectTimeout = tooLong,
            ResponseHeadersTimeout = tooLong,
            StallTimeout = tooLong,
            ItemTimeout = TimeSpan.MaxValue,
            LowSpeedTime = tooLong,
            PooledConnectionIdleTimeout = tooLong,
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        foreach (var name in new[]
        {
            "connect timeout", "response headers timeout", "stall timeout", "item timeout", "low speed time",
            "pooled connection idle timeout",
        })
        {
            Assert.Contains($"{name} must be at most 4294967294 ms", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_TheLongestTimeATimerCanWait_IsAcceptedAndATimerTakesIt()
    {
        var longest = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
        var options = new HaulOptions { ItemTimeout = longest, StallTimeout = longest, ConnectTimeout = longest };

        options.Validate();

        using var timer = new CancellationTokenSource();
        timer.CancelAfter(options.ItemTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => timer.CancelAfter(options.ItemTimeout + TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void Validate_RetryDelaysLongerThanADay_AreRejectedAndADayIsAccepted()
    {
        var day = TimeSpan.FromDays(1);
        new HaulOptions { RetryBaseDelay = day, RetryMaxDelay = day }.Validate();

        var error = Assert.Throws<ArgumentException>(
            new HaulOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = day + TimeSpan.FromSeconds(1) }.Validate);

        Assert.Contains("retry delays must be at most 1 day", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a\r\nEvil: 1")]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    public void Validate_HeaderValueOrUserAgentWithCrLfOrNul_IsRejected(string value)
    {
        var header = Assert.Throws<ArgumentException>(new HaulOptions { Headers = [new("X-Test", value)] }.Validate);
        var userAgent = Assert.Throws<ArgumentException>(new HaulOptions { UserAgent = value }.Validate);

        Assert.Contains("the value of header 'X-Test' contains CR, LF or NUL", header.Message, StringComparison.Ordinal);
        Assert.Contains("the User-Agent contains CR, LF or NUL", userAgent.Message, StringComparison.Ordinal);
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
