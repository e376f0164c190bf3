using System.Globalization;
using System.Runtime.CompilerServices;
using Haul.Input;

namespace Haul.Cli.Commands;

/// <summary>
/// The input of <c>haul get</c>: URLs given as arguments, then each <c>-i</c> file, then standard input, streamed one
/// line at a time so that a list of any length never sits in memory. Files are opened before the job starts, so an
/// unreadable one is a usage error, not a failure half way.
/// </summary>
internal sealed class CommandLineInput : IDisposable
{
    private readonly List<DownloadRequest> _arguments = [];
    private readonly List<SkippedInput> _skippedArguments = [];
    private readonly List<(string Name, StreamReader Reader)> _files = [];
    private bool _readStandardInput;

    private CommandLineInput()
    {
    }

    /// <summary>Whether any source was named at all: no URL, no file, no '-'.</summary>
    public bool IsEmpty => _arguments.Count == 0 && _skippedArguments.Count == 0 && _files.Count == 0 && !_readStandardInput;

    /// <summary>Checks the arguments and opens the files; returns null after printing the one-line problem.</summary>
    public static CommandLineInput? Open(string[] urls, string[] inputFiles)
    {
        var input = new CommandLineInput();
        var batch = new InputBatch();
        for (var i = 0; i < urls.Length; i++)
        {
            if (urls[i] == "-")
            {
                input._readStandardInput = true;
                continue;
            }

            var requests = batch.Requests.Count;
            UrlListParser.ParseLine(urls[i], "argument " + (i + 1).ToString(CultureInfo.InvariantCulture), batch);
            if (batch.Requests.Count == requests && File.Exists(urls[i]))
            {
                input.Dispose();
                CliError.Usage($"'{urls[i]}' is a file; did you mean -i {urls[i]}?");
                return null;
            }
        }

        input._arguments.AddRange(batch.Requests);
        input._skippedArguments.AddRange(batch.Skipped);
        foreach (var file in inputFiles)
        {
            if (file == "-")
            {
                input._readStandardInput = true;
                continue;
            }

            try
            {
                input._files.Add((file, new StreamReader(file)));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                input.Dispose();
                CliError.Usage($"cannot read the input file '{file}': {exception.Message}");
                return null;
            }
        }

        return input;
    }

    /// <summary>Every entry, in order: arguments, files, standard input.</summary>
    public async IAsyncEnumerable<InputEntry> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var skipped in _skippedArguments)
        {
            yield return skipped;
        }

        foreach (var request in _arguments)
        {
            yield return request;
        }

        foreach (var (name, reader) in _files)
        {
            await foreach (var entry in UrlListParser.ReadAsync(reader, name, cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }
        }

        if (_readStandardInput)
        {
            await foreach (var entry in UrlListParser.ReadAsync(Console.In, "stdin", cancellationToken).ConfigureAwait(false))
            {
                yield return entry;
            }
        }
    }

    public void Dispose()
    {
        foreach (var (_, reader) in _files)
        {
            reader.Dispose();
        }
    }
}
