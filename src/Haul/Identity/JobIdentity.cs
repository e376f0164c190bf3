using Haul.Engine;
using Haul.Input;
using Haul.Journal;

namespace Haul.Identity;

/// <summary>Who the job is to the sites it visits, one identity for the whole job: its cookie jar and its credentials.</summary>
internal sealed class JobIdentity
{
    private JobIdentity(CookieJar? cookies, CredentialStore credentials)
    {
        Cookies = cookies;
        Credentials = credentials;
        Authenticator = new HttpAuthenticator(credentials);
    }

    /// <summary>The job's cookie jar; null with <see cref="HaulOptions.UseCookies"/> off.</summary>
    public CookieJar? Cookies { get; }

    /// <summary>The credentials of <c>-u</c>, the netrc and the input's URLs.</summary>
    public CredentialStore Credentials { get; }

    /// <summary>Answers 401 challenges with <see cref="Credentials"/>.</summary>
    public HttpAuthenticator Authenticator { get; }

    /// <summary>An identity with no cookies and no credentials, for tests and tools.</summary>
    public static JobIdentity None { get; } = new(null, new CredentialStore(null, null));

    /// <summary>The identity of a job: its jar read back from the journal (then <c>--cookies</c>), its credentials.</summary>
    public static async Task<JobIdentity> OpenAsync(HaulOptions options, IJobJournal journal, CancellationToken cancellationToken) =>
        new(await CookieJar.OpenAsync(options, journal, cancellationToken).ConfigureAwait(false), CredentialStore.Create(options));

    /// <summary>The start pages without the credentials their URLs carried, which are kept for their origins.</summary>
    public IReadOnlyList<Uri> TakeCredentials(IReadOnlyList<Uri> startPages)
    {
        var pages = new List<Uri>(startPages.Count);
        foreach (var page in startPages)
        {
            var clean = UrlRules.WithoutCredentials(page);
            if (UrlRules.Credentials(page) is { } credential)
            {
                Credentials.AddFromUrl(clean, credential);
            }

            pages.Add(clean);
        }

        return pages;
    }
}
