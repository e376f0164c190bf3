using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>The engine's log messages, with stable event ids. Information is what <c>haul --verbose</c> shows.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unexpected error while fetching {Url}")]
    public static partial void UnexpectedError(ILogger logger, Uri url, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Url}: attempt {Outcome}{Detail} in {ElapsedMs} ms, {Bytes} bytes")]
    public static partial void AttemptEnded(ILogger logger, Uri url, string outcome, string detail, long elapsedMs, long bytes);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Url}: retrying after {Reason} in {DelayMs} ms{Why}")]
    public static partial void Retrying(ILogger logger, Uri url, string reason, long delayMs, string why);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Host}: paused for {DelayMs} ms after {Reason}")]
    public static partial void HostPaused(ILogger logger, string host, long delayMs, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Url}: done, {Bytes} bytes at {Path}")]
    public static partial void ItemDone(ILogger logger, Uri url, long bytes, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "{Url}: failed: {Reason}{Detail}")]
    public static partial void ItemFailed(ILogger logger, Uri url, string reason, string detail);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "{Url}: a different file was at {Path}; kept it as {Backup}")]
    public static partial void BackupKept(ILogger logger, Uri url, string path, string backup);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "{Url}: the file at {Path} is kept as done ({Why})")]
    public static partial void ExistingKept(ILogger logger, Uri url, string path, string why);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "{Url}: the done file at {Path} {Change}; fetching it again")]
    public static partial void DoneFileChanged(ILogger logger, Uri url, string path, string change);

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "{Url}: unavailable ({Problem}); as RFC 9309 asks, nothing of the host is fetched in this run")]
    public static partial void RobotsUnavailable(ILogger logger, Uri url, string problem);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "{Url}: page read: {Images} images and {Links} links, {NewItems} new{Note}")]
    public static partial void PageRead(ILogger logger, Uri url, int images, int links, int newItems, string note);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "{Url}: skipped by {Rule}")]
    public static partial void ItemSkipped(ILogger logger, Uri url, string rule);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "{Url}: sitemap not read ({Problem})")]
    public static partial void SitemapUnavailable(ILogger logger, Uri url, string problem);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "{Url}: {Outcome}")]
    public static partial void RobotsRead(ILogger logger, Uri url, string outcome);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "heartbeat to the shared journal missed ({Problem}); trying again")]
    public static partial void HeartbeatMissed(ILogger logger, string problem);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "part files of finished items not removed ({Problem}); the next worker to end removes them")]
    public static partial void PartsKept(ILogger logger, string problem);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "{Url}: another worker took this item over (this one's lease expired); left to it")]
    public static partial void LeaseLost(ILogger logger, Uri url);
}
