using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>The engine's log messages, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unexpected error while fetching {Url}")]
    public static partial void UnexpectedError(ILogger logger, Uri url, Exception exception);
}
