using Haul.Input;

namespace Haul.Tests.Input;

public sealed class BoundedLineReaderTests
{
    private static List<BoundedLine> ReadAll(string text, int maxLineLength = 100, long maxChars = long.MaxValue)
    {
        var reader = new BoundedLineReader(new StringReader(text), "the input", maxLineLength, maxChars);
        var lines = new List<BoundedLine>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    [Fact]
    public void LinesEndAtLfCrOrCrLf_AndAnEmptyLineIsKept()
    {
        var lines = ReadAll("a\nb\r\nc\rd\n\ne");

        Assert.Equal(["a", "b", "c", "d", "", "e"], lines.Select(l => l.Text));
        Assert.All(lines, l => Assert.False(l.TooLong));
    }

    [Fact]
    public void ACrLfSplitAcrossTwoReadsEndsOneLine()
    {
        // The reader's buffer holds 4096 characters: the CR is its last, the LF the first of the next read.
        var first = new string('x', 4095);

        var lines = ReadAll(first + "\r\nnext\n", maxLineLength: 10_000);

        Assert.Equal([first, "next"], lines.Select(l => l.Text));
    }

    [Fact]
    public void ALineTooLongIsCutMarkedAndItsRestDropped_ThenReadingGoesOn()
    {
        var lines = ReadAll("short\n" + new string('y', 20_000) + "\r\nafter\n", maxLineLength: 10);

        Assert.Equal(3, lines.Count);
        Assert.Equal(new BoundedLine("short", false), lines[0]);
        Assert.Equal(new BoundedLine("yyyyyyyyyy", true), lines[1]);
        Assert.Equal(new BoundedLine("after", false), lines[2]);
    }

    [Fact]
    public void ALineOfExactlyTheMaximumIsWhole()
    {
        var lines = ReadAll("0123456789\n", maxLineLength: 10);

        Assert.Equal(new BoundedLine("0123456789", false), Assert.Single(lines));
    }

    [Fact]
    public void AnEndlessLineIsReturnedCutWithoutReadingOnToItsEnd()
    {
        var endless = new EndlessReader();
        var reader = new BoundedLineReader(endless, "the input", 1000);

        var line = reader.ReadLine();

        Assert.True(line?.TooLong);
        Assert.Equal(1000, line?.Text.Length);
        Assert.True(endless.Served <= 1000 + 4096, endless.Served.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MoreCharactersThanTheMaximumStopTheReadingNamingTheInput()
    {
        var error = Assert.Throws<InvalidDataException>(() => ReadAll(string.Concat(Enumerable.Repeat("line\n", 10_000)), maxChars: 20_000));

        Assert.Equal("the input is larger than 20000 characters", error.Message);
    }

    [Fact]
    public async Task ReadLineAsyncReadsTheSameLines()
    {
        var reader = new BoundedLineReader(new StringReader("a\r\n" + new string('z', 50) + "\nb"), "the input", 10);

        Assert.Equal(new BoundedLine("a", false), await reader.ReadLineAsync(CancellationToken.None));
        Assert.Equal(new BoundedLine(new string('z', 10), true), await reader.ReadLineAsync(CancellationToken.None));
        Assert.Equal(new BoundedLine("b", false), await reader.ReadLineAsync(CancellationToken.None));
        Assert.Null(await reader.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public void ReadAllTextRefusesAFileLargerThanTheMaximum()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, new string('a', 5000));

            Assert.Equal(5000, BoundedLineReader.ReadAllText(path, "the file", 5000).Length);
            var error = Assert.Throws<InvalidDataException>(() => BoundedLineReader.ReadAllText(path, "the file", 4999));
            Assert.Equal("the file is larger than 4999 characters", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class EndlessReader : TextReader
    {
        public int Served { get; private set; }

        public override int Read()
        {
            Served++;
            return 'x';
        }
    }
}
