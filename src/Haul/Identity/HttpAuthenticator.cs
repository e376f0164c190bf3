using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Haul.Identity;

/// <summary>
/// HTTP authentication for the job, Basic and Digest. A request carries no credential until its origin has asked
/// for one with a 401 (so a password never goes where it was not asked for, and Basic never goes to an origin that
/// wants Digest); the fetcher then sends the hop again with the answer, and the origin's challenge is remembered so
/// that its later requests answer at once (Basic as is, Digest with the next nonce count). A credential goes only to
/// its own origin: the caller passes the origin an item belongs to, and nothing is sent for a hop on another one.
/// Thread-safe.
/// </summary>
internal sealed class HttpAuthenticator
{
    private readonly CredentialStore _credentials;
    private readonly ConcurrentDictionary<string, OriginAuth> _byOrigin = new(StringComparer.Ordinal);

    public HttpAuthenticator(CredentialStore credentials)
    {
        _credentials = credentials;
    }

    /// <summary>
    /// Adds <c>Authorization</c> to a request for <paramref name="url"/> when the item's origin
    /// (<paramref name="credentialOrigin"/>) is the URL's, a credential is known for it and the origin has asked for
    /// one; a request that already has one (<c>-H Authorization</c>) is left alone.
    /// </summary>
    public void Apply(HttpRequestMessage request, Uri url, Uri? credentialOrigin)
    {
        if (request.Headers.Authorization is not null || request.Headers.Contains("Authorization")
            || Credential(url, credentialOrigin) is not { } credential
            || !_byOrigin.TryGetValue(CredentialStore.OriginKey(url), out var auth))
        {
            return;
        }

        request.Headers.TryAddWithoutValidation("Authorization", auth.Authorization(credential, request.Method.Method, url.PathAndQuery));
    }

    /// <summary>
    /// Reads the challenge of a 401 to <paramref name="url"/>; true when the request should be sent again with an
    /// answer: a credential applies, the challenge is one Haul can answer, and it is new (a Digest <c>stale=true</c>,
    /// or an origin that had not asked before), not a refusal of the credential just sent.
    /// </summary>
    public bool Challenge(Uri url, Uri? credentialOrigin, HttpResponseMessage response, bool sentAuthorization)
    {
        if (Credential(url, credentialOrigin) is null || AuthChallenge.Strongest(response.Headers.WwwAuthenticate) is not { } challenge)
        {
            return false;
        }

        var stale = challenge.IsDigest && string.Equals(challenge["stale"], "true", StringComparison.OrdinalIgnoreCase);
        if (sentAuthorization && !stale)
        {
            // The credential was sent and refused.
            return false;
        }

        _byOrigin[CredentialStore.OriginKey(url)] = new OriginAuth(challenge);
        return true;
    }

    private NetworkCredential? Credential(Uri url, Uri? credentialOrigin) =>
        credentialOrigin is not null && Fetching.RequestFactory.SameOrigin(credentialOrigin, url) ? _credentials.For(url) : null;

    /// <summary>An origin's last challenge, with its Digest nonce count.</summary>
    private sealed class OriginAuth(AuthChallenge challenge)
    {
        private readonly string _clientNonce = DigestAuth.NewClientNonce();
        private long _nonceCount;

        public string Authorization(NetworkCredential credential, string method, string uri) =>
            challenge.IsDigest
                ? DigestAuth.Authorization(challenge, credential, method, uri, Interlocked.Increment(ref _nonceCount), _clientNonce)
                : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password))).ToString();
    }
}
