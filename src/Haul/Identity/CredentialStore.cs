using System.Collections.Concurrent;
using System.Net;
using Haul.Engine;
using Haul.Input;

namespace Haul.Identity;

/// <summary>
/// The job's credentials for HTTP authentication, each bound to an origin: those of URLs (<c>user:password@</c>, for
/// that URL's origin), then <c>-u</c> (for the origin of every item given, or of the start pages), then the netrc's
/// entry for the host, then its <c>default</c>. The fetcher asks only for the origin an item belongs to
/// (<see cref="Fetching.FetchTarget.CredentialOrigin"/>) and only for a hop on that origin, so no credential ever
/// follows a redirect to another origin. Credentials of URLs live in memory for the run only: a later run without the
/// input has none of them.
/// </summary>
internal sealed class CredentialStore
{
    private readonly ConcurrentDictionary<string, NetworkCredential> _fromUrls = new(StringComparer.Ordinal);
    private readonly NetworkCredential? _user;
    private readonly IReadOnlyDictionary<string, NetworkCredential> _netrc;

    public CredentialStore(NetworkCredential? user, IReadOnlyDictionary<string, NetworkCredential>? netrc)
    {
        _user = user;
        _netrc = netrc ?? new Dictionary<string, NetworkCredential>();
    }

    /// <summary>Whether the store may hold anything at all (a job without credentials skips all of this).</summary>
    public bool IsEmpty => _user is null && _netrc.Count == 0 && _fromUrls.IsEmpty;

    /// <summary>The store of a job's options: <see cref="HaulOptions.User"/> and <see cref="HaulOptions.NetrcFile"/>.</summary>
    public static CredentialStore Create(HaulOptions options) =>
        new(options.User, options.NetrcFile is { } file ? NetrcFile.Read(file) : null);

    /// <summary>
    /// Remembers the credentials of a URL for its origin; false when the origin already has different ones from another
    /// URL (the first stay: a later line of a list cannot replace them for every item of the origin).
    /// </summary>
    public bool AddFromUrl(Uri url, NetworkCredential credential)
    {
        var kept = _fromUrls.GetOrAdd(OriginKey(url), credential);
        return ReferenceEquals(kept, credential) || (kept.UserName == credential.UserName && kept.Password == credential.Password);
    }

    /// <summary>
    /// Passes the input through, taking the credentials its URLs carried. A URL whose credentials differ from those an
    /// earlier URL gave its origin is skipped, with the rule: credentials are bound to an origin, not to one URL.
    /// </summary>
    public async IAsyncEnumerable<InputEntry> CollectAsync(
        IAsyncEnumerable<InputEntry> input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in input.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (entry is DownloadRequest { Credential: { } credential } request && !AddFromUrl(request.Url, credential))
            {
                yield return new SkippedInput(
                    UrlRules.Redact(request.Url.AbsoluteUri), request.Source ?? "input", "other credentials than an earlier URL's for the same origin");
                continue;
            }

            yield return entry;
        }
    }

    /// <summary>The credential for <paramref name="origin"/>, or null.</summary>
    public NetworkCredential? For(Uri origin)
    {
        if (_fromUrls.TryGetValue(OriginKey(origin), out var fromUrl))
        {
            return fromUrl;
        }

        if (_user is not null)
        {
            return _user;
        }

        return _netrc.TryGetValue(origin.IdnHost.ToLowerInvariant(), out var machine) ? machine
            : _netrc.TryGetValue(string.Empty, out var fallback) ? fallback
            : null;
    }

    /// <summary>Scheme, host and port: what a credential is bound to.</summary>
    public static string OriginKey(Uri url) =>
        url.Scheme.ToLowerInvariant() + "://" + url.IdnHost.ToLowerInvariant() + ":" + url.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
