namespace Haul.Identity;

/// <summary>
/// The header profiles of <see cref="Browser"/>: current stable releases on their main desktop platform, as their
/// developer tools show them (Chrome 142 on Windows, Firefox 145 on Windows, Safari 26.1 on macOS). Updating a release
/// means updating its version here, and Chrome's brand list with it.
/// </summary>
internal static class BrowserProfiles
{
    public static BrowserProfile Chrome { get; } = new(
        UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
        DocumentAccept: "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
        ImageAccept: "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        AcceptLanguage: "en-US,en;q=0.9",
        SendsFetchUser: true,
        ClientHints:
        [
            new("sec-ch-ua", "\"Chromium\";v=\"142\", \"Google Chrome\";v=\"142\", \"Not_A Brand\";v=\"99\""),
            new("sec-ch-ua-mobile", "?0"),
            new("sec-ch-ua-platform", "\"Windows\""),
        ]);

    public static BrowserProfile Firefox { get; } = new(
        UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:145.0) Gecko/20100101 Firefox/145.0",
        DocumentAccept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ImageAccept: "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
        AcceptLanguage: "en-US,en;q=0.5",
        SendsFetchUser: true,
        ClientHints: []);

    public static BrowserProfile Safari { get; } = new(
        UserAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15",
        DocumentAccept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        ImageAccept: "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
        AcceptLanguage: "en-US,en;q=0.9",
        SendsFetchUser: false,
        ClientHints: []);

    public static BrowserProfile For(Browser browser) => browser switch
    {
        Browser.Chrome => Chrome,
        Browser.Firefox => Firefox,
        Browser.Safari => Safari,
        _ => throw new ArgumentOutOfRangeException(nameof(browser), browser, "Unknown browser."),
    };
}
