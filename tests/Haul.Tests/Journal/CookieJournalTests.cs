using Haul.Identity;
using Haul.Journal;

namespace Haul.Tests.Journal;

public sealed class CookieJournalTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task CookiesWrittenThrough_AreReadBackAfterReopening_SessionCookiesIncluded_DeletedOnesNot()
    {
        using var folder = new TempFolder();
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        var session = new StoredCookie("sid", "abc", "127.0.0.1", "/", HostOnly: true, Secure: false, HttpOnly: true, null, created);
        var persistent = new StoredCookie("pref", "x=1", "example.com", "/app", HostOnly: false, Secure: true, HttpOnly: false, created.AddDays(30), created.AddSeconds(1));
        var gone = session with { Name = "gone" };
        await using (var journal = await SqliteJobJournal.OpenAsync(folder.Path, TimeProvider.System, None))
        {
            journal.Record(new CookieStored(session with { Value = "old" }));
            journal.Record(new CookieStored(session));
            journal.Record(new CookieStored(persistent));
            journal.Record(new CookieStored(gone));
            journal.Record(new CookieDeleted(gone.Domain, gone.Path, gone.Name));
            await journal.FlushAsync(None);
        }

        await using (var reopened = await SqliteJobJournal.OpenAsync(folder.Path, TimeProvider.System, None))
        {
            Assert.Equal([session, persistent], await reopened.ReadCookiesAsync(None));
        }
    }
}
