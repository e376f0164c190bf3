using Microsoft.Extensions.Logging;

namespace Haul.Proxies;

/// <summary>The proxy choice's log messages, with stable event ids (proxies never appear with their credentials).</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "{Proxy}: set aside for {DelayMs} ms after {Failures} failure(s) in a row ({Detail}); its hosts move to another proxy")]
    public static partial void SetAside(ILogger logger, string proxy, long delayMs, int failures, string detail);

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "{Host}: through {Proxy}")]
    public static partial void HostAssigned(ILogger logger, string host, string proxy);
}
