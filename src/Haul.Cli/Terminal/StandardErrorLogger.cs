using Haul.Text;
using Microsoft.Extensions.Logging;

namespace Haul.Cli.Terminal;

/// <summary>
/// <c>--verbose</c>: the engine's log as plain lines on standard error (<c>haul: URL: attempt …</c>), one line an
/// event, written whole so that lines of concurrent workers never interleave.
/// </summary>
internal sealed class StandardErrorLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private static readonly Lock Gate = new();
    private readonly LogLevel _minimum;

    public StandardErrorLoggerProvider(LogLevel minimum) => _minimum = minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(_minimum);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class Logger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = "haul: " + PrintableText.Of(formatter(state, exception).ReplaceLineEndings(" "), PrintableText.LongMaxLength);
            if (exception is not null && Environment.GetEnvironmentVariable("HAUL_TRACE") == "1")
            {
                line += Environment.NewLine + exception;
            }

            lock (Gate)
            {
                Console.Error.WriteLine(line);
            }
        }
    }
}
