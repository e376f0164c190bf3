namespace Haul.Identity;

/// <summary>
/// A cookie as the job's jar keeps it (RFC 6265, section 5.3), in the form the journal stores so that a resumed job
/// sends what it had.
/// </summary>
/// <param name="Name">The cookie's name.</param>
/// <param name="Value">The cookie's value, as the server set it.</param>
/// <param name="Domain">The host (host-only) or domain (with subdomains) it belongs to, in lower case, without a leading dot.</param>
/// <param name="Path">The path it applies to and below.</param>
/// <param name="HostOnly">Sent to <paramref name="Domain"/> itself only, not to its subdomains (the server named no Domain).</param>
/// <param name="Secure">Sent over https only.</param>
/// <param name="HttpOnly">Set for HTTP only (kept for the record; Haul runs no scripts).</param>
/// <param name="Expires">When it expires; null for a session cookie, which lives as long as the job.</param>
/// <param name="Created">When it was first set: of two cookies with paths of one length, the older is sent first.</param>
public sealed record StoredCookie(
    string Name,
    string Value,
    string Domain,
    string Path,
    bool HostOnly,
    bool Secure,
    bool HttpOnly,
    DateTimeOffset? Expires,
    DateTimeOffset Created)
{
    /// <summary>Whether it has expired at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset now) => Expires is { } expires && expires <= now;
}
