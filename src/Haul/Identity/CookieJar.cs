using System.Text;
using Haul.Engine;
using Haul.Journal;

namespace Haul.Identity;

/// <summary>
/// The job's cookies (RFC 6265): fed by every response's <c>Set-Cookie</c> (redirect hops included), sent as
/// <c>Cookie</c> to the hosts and paths they match, <c>Secure</c> ones over https only. Every change is handed to
/// <c>persist</c> (the journal's batched writer), so that a job resumed after a crash sends what it had. Cookies are
/// indexed by domain, so a request looks only at its host and the domains above it. Thread-safe.
/// </summary>
internal sealed class CookieJar
{
    /// <summary>Cookies one domain may hold; the oldest goes first beyond it (as browsers do).</summary>
    public const int MaxPerDomain = 180;

    /// <summary>Cookies the jar may hold in all.</summary>
    public const int MaxTotal = 3000;

    private readonly object _lock = new();
    private readonly Dictionary<string, Dictionary<(string Path, string Name), StoredCookie>> _byDomain = new(StringComparer.Ordinal);
    private readonly Action<JournalUpdate>? _persist;
    private readonly TimeProvider _time;
    private int _count;

    public CookieJar(TimeProvider time, Action<JournalUpdate>? persist = null)
    {
        _time = time;
        _persist = persist;
    }

    /// <summary>
    /// The job's jar: the cookies the journal kept, then those of <see cref="HaulOptions.CookieFile"/>; every change is
    /// written through to the journal. Null when <see cref="HaulOptions.UseCookies"/> is off.
    /// </summary>
    /// <remarks>Cookies of the file beyond the jar's bounds are left out (<see cref="Import"/>); <c>haul</c> says how many before the job starts.</remarks>
    public static async Task<CookieJar?> OpenAsync(HaulOptions options, IJobJournal journal, CancellationToken cancellationToken)
    {
        if (!options.UseCookies)
        {
            return null;
        }

        var jar = new CookieJar(options.TimeProvider, journal.Record);
        jar.Load(await journal.ReadCookiesAsync(cancellationToken).ConfigureAwait(false));
        if (options.CookieFile is { } file)
        {
            _ = jar.Import(CookieFile.Read(file, options.TimeProvider.GetUtcNow()));
        }

        return jar;
    }

    /// <summary>How many cookies the jar holds (expired ones not yet dropped included).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Puts cookies read back from the journal in the jar, without writing them again.</summary>
    public void Load(IEnumerable<StoredCookie> cookies)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var cookie in cookies.Where(c => !c.IsExpired(now)))
            {
                StoreLocked(cookie, persist: false);
            }
        }
    }

    /// <summary>
    /// Adds cookies imported from a file, as if a server had set them, replacing those of the same name, domain and
    /// path. They are not written to the journal: a browser's export holds every site's sessions, which have no place in
    /// an output folder; a resumed job reads the same file again. A cookie that would go beyond
    /// <see cref="MaxPerDomain"/> or <see cref="MaxTotal"/> is left out rather than evicting one (the first of a file
    /// are kept), so that an import costs time in proportion to the file and the jar stays bounded.
    /// </summary>
    /// <returns>How many cookies were left out.</returns>
    public int Import(IEnumerable<StoredCookie> cookies)
    {
        var now = _time.GetUtcNow();
        var leftOut = 0;
        lock (_lock)
        {
            foreach (var cookie in cookies)
            {
                if (cookie.IsExpired(now))
                {
                    DeleteLocked(cookie.Domain, cookie.Path, cookie.Name);
                    continue;
                }

                _byDomain.TryGetValue(cookie.Domain, out var domain);
                if (domain?.ContainsKey((cookie.Path, cookie.Name)) != true && (_count >= MaxTotal || domain is { Count: >= MaxPerDomain }))
                {
                    leftOut++;
                    continue;
                }

                StoreLocked(cookie, persist: false);
            }
        }

        return leftOut;
    }

    /// <summary>Takes the <c>Set-Cookie</c> headers of a response to <paramref name="url"/>.</summary>
    public void Receive(Uri url, HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                Receive(url, value);
            }
        }
    }

    /// <summary>Takes one <c>Set-Cookie</c> header of a response to <paramref name="url"/>.</summary>
    public void Receive(Uri url, string setCookie)
    {
        var now = _time.GetUtcNow();
        if (SetCookieParser.Parse(setCookie, url, now) is not { } cookie)
        {
            return;
        }

        lock (_lock)
        {
            if (cookie.IsExpired(now))
            {
                DeleteLocked(cookie.Domain, cookie.Path, cookie.Name);
                return;
            }

            // A replaced cookie keeps its creation time (RFC 6265, 5.3 step 11.3).
            if (_byDomain.TryGetValue(cookie.Domain, out var domain) && domain.TryGetValue((cookie.Path, cookie.Name), out var old))
            {
                cookie = cookie with { Created = old.Created };
                if (old == cookie)
                {
                    return;
                }
            }

            StoreLocked(cookie, persist: true);
        }
    }

    /// <summary>The <c>Cookie</c> header for a request to <paramref name="url"/>, or null when no cookie matches.</summary>
    public string? HeaderFor(Uri url)
    {
        var now = _time.GetUtcNow();
        var host = CookieRules.HostOf(url);
        var path = url.AbsolutePath.Length == 0 ? "/" : url.AbsolutePath;
        var https = url.Scheme == Uri.UriSchemeHttps;
        var matches = new List<StoredCookie>();
        List<StoredCookie>? expired = null;
        lock (_lock)
        {
            if (_count == 0)
            {
                return null;
            }

            foreach (var domainName in DomainsOf(host))
            {
                if (!_byDomain.TryGetValue(domainName, out var domain))
                {
                    continue;
                }

                foreach (var cookie in domain.Values)
                {
                    if (cookie.IsExpired(now))
                    {
                        (expired ??= []).Add(cookie);
                    }
                    else if ((!cookie.HostOnly || domainName == host)
                        && (https || !cookie.Secure)
                        && CookieRules.PathMatches(path, cookie.Path))
                    {
                        matches.Add(cookie);
                    }
                }
            }

            foreach (var cookie in expired ?? [])
            {
                DeleteLocked(cookie.Domain, cookie.Path, cookie.Name);
            }
        }

        if (matches.Count == 0)
        {
            return null;
        }

        // Longer paths first, then the older cookie (RFC 6265, 5.4 step 2).
        matches.Sort((a, b) => b.Path.Length != a.Path.Length ? b.Path.Length.CompareTo(a.Path.Length) : a.Created.CompareTo(b.Created));
        var header = new StringBuilder();
        foreach (var cookie in matches)
        {
            if (header.Length > 0)
            {
                header.Append("; ");
            }

            header.Append(cookie.Name).Append('=').Append(cookie.Value);
        }

        return header.ToString();
    }

    /// <summary>Every cookie in the jar, for tests and tools.</summary>
    public IReadOnlyList<StoredCookie> Snapshot()
    {
        lock (_lock)
        {
            return _byDomain.Values.SelectMany(d => d.Values).ToList();
        }
    }

    /// <summary>The host itself and every domain above it that could have set a cookie for it (an IP address only itself).</summary>
    private static IEnumerable<string> DomainsOf(string host)
    {
        yield return host;
        if (CookieRules.IsIpAddress(host))
        {
            yield break;
        }

        for (var dot = host.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = host.IndexOf('.', dot + 1))
        {
            yield return host[(dot + 1)..];
        }
    }

    private void StoreLocked(StoredCookie cookie, bool persist)
    {
        var key = (cookie.Path, cookie.Name);
        _byDomain.TryGetValue(cookie.Domain, out var existing);
        if (existing is null || !existing.ContainsKey(key))
        {
            if (existing is { Count: >= MaxPerDomain })
            {
                var oldest = existing.Values.MinBy(c => c.Created)!;
                DeleteLocked(oldest.Domain, oldest.Path, oldest.Name);
            }

            if (_count >= MaxTotal)
            {
                var oldest = _byDomain.Values.SelectMany(d => d.Values).MinBy(c => c.Created)!;
                DeleteLocked(oldest.Domain, oldest.Path, oldest.Name);
            }

            _count++;
        }

        // Looked up again: an eviction may have emptied and dropped the domain.
        if (!_byDomain.TryGetValue(cookie.Domain, out var domain))
        {
            domain = [];
            _byDomain[cookie.Domain] = domain;
        }

        domain[key] = cookie;
        if (persist)
        {
            _persist?.Invoke(new CookieStored(cookie));
        }
    }

    private void DeleteLocked(string domainName, string path, string name)
    {
        if (_byDomain.TryGetValue(domainName, out var domain) && domain.Remove((path, name)))
        {
            _count--;
            if (domain.Count == 0)
            {
                _byDomain.Remove(domainName);
            }

            _persist?.Invoke(new CookieDeleted(domainName, path, name));
        }
    }
}
