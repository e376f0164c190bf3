using System.Text;

namespace Haul.Input;

/// <summary>
/// Reads lines of text within bounds, so that a hostile or odd input (<c>/dev/zero</c>, a file of gigabytes without a
/// line break) never fills memory or runs forever: a line longer than the maximum is returned cut as soon as it is
/// known to be, marked <see cref="BoundedLine.TooLong"/>, and the next read drops its rest first; more characters in all than the maximum stop the
/// reading with an <see cref="InvalidDataException"/> naming the input. A line ends at LF, CR or CR LF, as with
/// <see cref="TextReader.ReadLine"/>.
/// </summary>
internal sealed class BoundedLineReader
{
    private readonly TextReader _reader;
    private readonly string _name;
    private readonly int _maxLineLength;
    private readonly long _maxChars;
    private readonly char[] _buffer = new char[4096];
    private readonly StringBuilder _line = new();
    private int _start;
    private int _end;
    private long _chars;
    private bool _lineFeedEndsLastLine;
    private bool _dropping;

    /// <param name="reader">The text.</param>
    /// <param name="name">The input as messages name it, e.g. <c>the netrc file 'x'</c>.</param>
    /// <param name="maxLineLength">The longest line kept whole, in characters.</param>
    /// <param name="maxChars">The most characters read in all.</param>
    public BoundedLineReader(TextReader reader, string name, int maxLineLength, long maxChars = long.MaxValue)
    {
        _reader = reader;
        _name = name;
        _maxLineLength = maxLineLength;
        _maxChars = maxChars;
    }

    /// <summary>The text of a file at <paramref name="path"/>, read as a stream, at most <paramref name="maxChars"/> characters.</summary>
    /// <exception cref="InvalidDataException">The file is larger.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static string ReadAllText(string path, string name, long maxChars)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (text.Length + read > maxChars)
            {
                throw TooLarge(name, maxChars);
            }

            text.Append(buffer, 0, read);
        }

        return text.ToString();
    }

    /// <summary>The next line, or null at the end.</summary>
    public BoundedLine? ReadLine()
    {
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = _reader.Read(_buffer, 0, _buffer.Length);
                if (Count(_end) == 0)
                {
                    return Finish();
                }
            }

            if (Take() is { } line)
            {
                return line;
            }
        }
    }

    /// <summary>The next line, or null at the end.</summary>
    public async ValueTask<BoundedLine?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (Count(_end) == 0)
                {
                    return Finish();
                }
            }

            if (Take() is { } line)
            {
                return line;
            }
        }
    }

    private static InvalidDataException TooLarge(string name, long maxChars) =>
        new($"{name} is larger than {maxChars} characters");

    private int Count(int read)
    {
        _chars += read;
        return _chars > _maxChars ? throw TooLarge(_name, _maxChars) : read;
    }

    /// <summary>Takes characters from the buffer up to the end of a line: the line, or null when the buffer ran out first.</summary>
    private BoundedLine? Take()
    {
        if (_lineFeedEndsLastLine)
        {
            _lineFeedEndsLastLine = false;
            if (_buffer[_start] == '\n')
            {
                _start++;
                return null;
            }
        }

        var span = _buffer.AsSpan(_start, _end - _start);
        var end = span.IndexOfAny('\n', '\r');
        var part = end < 0 ? span : span[..end];
        if (!_dropping)
        {
            var room = _maxLineLength - _line.Length;
            if (part.Length > room)
            {
                // Returned at once, cut: the caller may stop here (an endless line never ends), or read on past its rest.
                _line.Append(part[..room]);
                _start += room;
                _dropping = true;
                return Line(tooLong: true);
            }

            _line.Append(part);
        }

        if (end < 0)
        {
            _start = _end;
            return null;
        }

        _lineFeedEndsLastLine = span[end] == '\r';
        _start += end + 1;
        if (_dropping)
        {
            _dropping = false;
            return null;
        }

        return Line(tooLong: false);
    }

    private BoundedLine? Finish() => _line.Length == 0 ? null : Line(tooLong: false);

    private BoundedLine Line(bool tooLong)
    {
        var line = new BoundedLine(_line.ToString(), tooLong);
        _line.Clear();
        return line;
    }
}
