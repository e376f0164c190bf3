using Haul.Identity;

namespace Haul.Journal;

/// <summary>The job's cookie jar stored or replaced a cookie; it is kept for the job, session cookies included.</summary>
public sealed record CookieStored(StoredCookie Cookie) : JournalUpdate(0);

/// <summary>The job's cookie jar dropped a cookie (expired, deleted by the server, or evicted).</summary>
/// <param name="Domain">The cookie's domain.</param>
/// <param name="Path">The cookie's path.</param>
/// <param name="Name">The cookie's name.</param>
public sealed record CookieDeleted(string Domain, string Path, string Name) : JournalUpdate(0);
