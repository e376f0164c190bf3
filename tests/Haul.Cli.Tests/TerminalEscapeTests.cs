
namespace Haul.Cli.Tests;

/// <summary>What an input file or a server says reaches the terminal escaped: no escape sequence, bell or binary byte of its own.</summary>
public sealed class TerminalEscapeTests
{
    [Fact]
    public async Task A_skipped_line_with_escape_sequences_is_echoed_escaped_and_stored_as_it_was()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("urls.txt");
        await File.WriteAllTextAsync(list, "http://x/\u001b[31mRED\u001b]0;pwned\u0007 z\nftp://h/\u009b2J\u0008\u007f\n");

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        AssertNoControlCharacters(result.Stderr);
        Assert.Contains(@"skipped 'http://x/\e[31mRED\e]0;pwned\x07 z'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(@"skipped 'ftp://h/\u009b2J\x08\x7f'", result.Stderr, StringComparison.Ordinal);
        var skipped = await Support.ReadSkippedAsync(output);
        Assert.Contains(skipped, s => s.Entry == "http://x/\u001b[31mRED\u001b]0;pwned\u0007 z");
    }

    [Fact]
    public async Task A_binary_file_given_as_a_list_prints_no_control_character()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("out");
        var list = folder.Combine("random.bin");
        var bytes = new byte[64 * 1024];
        new Random(11).NextBytes(bytes);
        for (var i = 0; i < bytes.Length; i++)
        {
            // Short lines without NUL, so that each is parsed and echoed rather than cut as one binary line.
            bytes[i] = bytes[i] == 0 ? (byte)0x1B : i % 60 == 59 ? (byte)'\n' : bytes[i];
        }

        await File.WriteAllBytesAsync(list, bytes);

        var result = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("skipped '", result.Stderr, StringComparison.Ordinal);
        AssertNoControlCharacters(result.Stderr);
    }

    private static void AssertNoControlCharacters(string stderr)
    {
        var bad = stderr.Where(c => c != '\n' && (char.IsControl(c))).ToList();
        Assert.True(bad.Count == 0, $"control characters in stderr: {string.Join(' ', bad.Select(c => ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)))}");
    }
}
