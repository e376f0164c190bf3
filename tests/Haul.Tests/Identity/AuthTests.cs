using System.Net;
using System.Net.Http.Headers;
using Haul.Identity;
using Haul.Input;

namespace Haul.Tests.Identity;

public sealed class AuthTests
{
    private static readonly NetworkCredential Mufasa = new("Mufasa", "Circle of Life");

    // RFC 7616, section 3.9.1.
    [Theory]
    [InlineData("MD5", "8ca523f5e9506fed4657c9700eebdbec")]
    [InlineData("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    public void Digest_MatchesTheRfcExample(string algorithm, string expected)
    {
        var challenge = new AuthChallenge("Digest", AuthChallenge.ParseParameters(
            $"realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""));

        var header = DigestAuth.Authorization(challenge, Mufasa, "GET", "/dir/index.html", 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

        Assert.Contains($"response=\"{expected}\"", header, StringComparison.Ordinal);
        Assert.Contains("nc=00000001", header, StringComparison.Ordinal);
        Assert.Contains("qop=auth,", header, StringComparison.Ordinal);
        Assert.Contains("opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"", header, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStrongestChallengeWins_AndUnanswerableOnesAreLeftOut()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"r\""));
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Digest", "realm=\"r\", nonce=\"n\", algorithm=MD5, qop=\"auth\""));
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Digest", "realm=\"r\", nonce=\"n\", algorithm=SHA-512-256, qop=\"auth\""));
        response.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Negotiate"));

        var chosen = AuthChallenge.Strongest(response.Headers.WwwAuthenticate);

        Assert.NotNull(chosen);
        Assert.Equal("MD5", chosen.Algorithm);
        Assert.Null(AuthChallenge.Strongest(new HttpResponseMessage().Headers.WwwAuthenticate));
    }

    [Fact]
    public void Parameters_ReadQuotedValuesWithCommasAndEscapes() =>
        Assert.Equal(
            new Dictionary<string, string> { ["realm"] = "a, \"b\"", ["nonce"] = "x", ["qop"] = "auth,auth-int" },
            AuthChallenge.ParseParameters("realm=\"a, \\\"b\\\"\", nonce=x, qop=\"auth,auth-int\""));

    [Fact]
    public void Authenticator_AnswersOnlyAfterAChallenge_AndOnlyOnTheItemsOrigin()
    {
        var store = new CredentialStore(new NetworkCredential("u", "p"), null);
        var authenticator = new HttpAuthenticator(store);
        var origin = new Uri("http://127.0.0.1:8080/a.jpg");
        using var first = new HttpRequestMessage(HttpMethod.Get, origin);
        authenticator.Apply(first, origin, origin);
        Assert.Null(first.Headers.Authorization);

        using var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
        challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue("Basic", "realm=\"r\""));
        Assert.True(authenticator.Challenge(origin, origin, challenge, sentAuthorization: false));
        Assert.False(authenticator.Challenge(origin, origin, challenge, sentAuthorization: true));

        using var second = new HttpRequestMessage(HttpMethod.Get, origin);
        authenticator.Apply(second, origin, origin);
        Assert.Equal("Basic dTpw", second.Headers.Authorization?.ToString());

        // Another port, another scheme, another host: another origin.
        foreach (var other in new[] { "http://127.0.0.1:8081/a.jpg", "https://127.0.0.1:8080/a.jpg", "http://localhost:8080/a.jpg" })
        {
            var hop = new Uri(other);
            Assert.False(authenticator.Challenge(hop, origin, challenge, sentAuthorization: false));
            using var request = new HttpRequestMessage(HttpMethod.Get, hop);
            authenticator.Apply(request, hop, origin);
            Assert.Null(request.Headers.Authorization);
        }

        // An item found elsewhere by a crawl has no credential origin.
        using var found = new HttpRequestMessage(HttpMethod.Get, origin);
        authenticator.Apply(found, origin, null);
        Assert.Null(found.Headers.Authorization);
    }

    [Fact]
    public void CredentialStore_PrefersTheUrlsThenUserThenNetrcMachineThenDefault()
    {
        var netrc = NetrcFile.Parse("machine a.example login ma password pa\ndefault login d password pd\n", "netrc");
        var store = new CredentialStore(null, netrc);
        store.AddFromUrl(new Uri("https://b.example/x"), new NetworkCredential("url", "pu"));

        Assert.Equal("ma", store.For(new Uri("http://A.example:81/"))!.UserName);
        Assert.Equal("url", store.For(new Uri("https://b.example/y"))!.UserName);
        Assert.Equal("d", store.For(new Uri("http://b.example/y"))!.UserName);
        Assert.Equal("user", new CredentialStore(new NetworkCredential("user", "p"), netrc).For(new Uri("http://a.example/"))!.UserName);
    }

    [Fact]
    public async Task CredentialStore_SkipsALaterUrlWhoseCredentialsDifferForTheSameOrigin_AndKeepsTheFirst()
    {
        var store = new CredentialStore(new NetworkCredential("u", "p"), null);
        static DownloadRequest Request(string url, string user, string password) =>
            new(new Uri(url), Source: "list.txt:1") { Credential = new NetworkCredential(user, password) };
        var input = new InputEntry[]
        {
            Request("http://h.example/a", "user", "right"),
            Request("http://h.example/b", "user", "right"),
            Request("http://h.example/c", "user", "planted"),
            Request("http://other.example/d", "user", "planted"),
        }.ToAsyncEnumerable();

        var passed = new List<InputEntry>();
        await foreach (var entry in store.CollectAsync(input))
        {
            passed.Add(entry);
        }

        Assert.Equal(4, passed.Count);
        var skipped = Assert.IsType<SkippedInput>(passed[2]);
        Assert.Contains("other credentials", skipped.Rule, StringComparison.Ordinal);
        Assert.DoesNotContain("planted", skipped.Text, StringComparison.Ordinal);
        Assert.Equal("right", store.For(new Uri("http://h.example/"))!.Password);
        Assert.Equal("planted", store.For(new Uri("http://other.example/"))!.Password);
    }

    [Fact]
    public void Netrc_ReadsMachinesDefaultQuotedValuesAndSkipsMacrosAndComments()
    {
        var entries = NetrcFile.Parse("""
            # a comment
            machine example.com
                login alice
                password "p w\"x"
            macdef init
            cd /pub
            machine inside.macro login no password no

            machine other.org login bob account acct password secret
            machine example.com login second password ignored
            default login anon password guest
            """, "netrc");

        Assert.Equal(3, entries.Count);
        Assert.Equal("p w\"x", entries["example.com"].Password);
        Assert.Equal("bob", entries["other.org"].UserName);
        Assert.Equal("secret", entries["other.org"].Password);
        Assert.Equal("anon", entries[string.Empty].UserName);
        Assert.False(entries.ContainsKey("inside.macro"));
    }

    [Theory]
    [InlineData("login alice", "line 1: 'login' before any 'machine'")]
    [InlineData("machine a.example login", "'login' without a value")]
    [InlineData("machine a.example login alice password \"open", "line 1: a quoted value is not closed")]
    [InlineData("machine a.example\nuser alice", "line 2: an unexpected word")]
    public void Netrc_MalformedIsAnErrorNamingFileAndLine(string text, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => NetrcFile.Parse(text, "my.netrc"));

        Assert.StartsWith("the netrc file 'my.netrc' ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Netrc_AnUnquotedPasswordWithASpace_IsAnErrorThatShowsNoPartOfIt()
    {
        var error = Assert.Throws<InvalidDataException>(() => NetrcFile.Parse("machine a.example login alice password correct horse", "my.netrc"));

        Assert.DoesNotContain("horse", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("correct", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UrlCredentials_AreTakenOutOfTheUrl()
    {
        var url = new Uri("https://al%40ice:p%3Ass@example.com:8443/a.jpg?q=1");

        Assert.Equal("https://example.com:8443/a.jpg?q=1", UrlRules.WithoutCredentials(url).AbsoluteUri);
        var credential = UrlRules.Credentials(url);
        Assert.Equal("al@ice", credential!.UserName);
        Assert.Equal("p:ss", credential.Password);
        Assert.Null(UrlRules.Check(url.OriginalString));
    }

    [Fact]
    public void AListLineWithCredentials_GivesAUrlWithoutThem_AndASkippedLineDoesNotShowThePassword()
    {
        var batch = new InputBatch();
        UrlListParser.ParseLine("https://u:secret@example.com/a.jpg", "list:1", batch);
        UrlListParser.ParseLine("https://u:secret@example.com/b.jpg\tsha256=bad", "list:2", batch);

        var request = Assert.Single(batch.Requests);
        Assert.Equal("https://example.com/a.jpg", request.Url.AbsoluteUri);
        Assert.Equal("secret", request.Credential!.Password);
        Assert.DoesNotContain("secret", request.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", Assert.Single(batch.Skipped).Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("relative/home", null)]
    [InlineData("/home/alice", "/home/alice/.netrc")]
    public void TheDefaultNetrcIsInHome_AndWithoutAnAbsoluteHomeThereIsNone(string? home, string? expected)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // USERPROFILE counts on Windows only.
        var variables = new Dictionary<string, string?> { ["HOME"] = home, ["USERPROFILE"] = "/home/other" };

        Assert.Equal(expected, NetrcFile.DefaultPathIn(name => variables.GetValueOrDefault(name)));
    }
}
