using Haul.Text;

namespace Haul.Tests.Text;

/// <summary>Text from outside is printed with its control characters escaped, never sent to the terminal as they are.</summary>
public sealed class PrintableTextTests
{
    [Theory]
    [InlineData("http://x/a.png", "http://x/a.png")]
    [InlineData("http://x/\u001b[31mRED\u001b]0;pwned\u0007 z", "http://x/\\e[31mRED\\e]0;pwned\\x07 z")]
    [InlineData("a\r\nb\tc\0d", "a\\r\\nb\\tc\\0d")]
    [InlineData("del\u007f", "del\\x7f")]
    [InlineData("csi\u009b2J", "csi\\u009b2J")]
    [InlineData("rtl\u202Eexe.gpj", "rtl\\u202eexe.gpj")]
    [InlineData("emoji \U0001F600 and é", "emoji \U0001F600 and é")]
    [InlineData("", "")]
    public void Control_characters_are_escaped_and_the_rest_is_kept(string text, string shown) =>
        Assert.Equal(shown, PrintableText.Of(text));

    [Fact]
    public void Lone_surrogates_are_escaped_and_pairs_kept()
    {
        var text = "a" + (char)0xD800 + "b" + (char)0xDC00 + "c" + char.ConvertFromUtf32(0x1F600) + (char)0xD83D;

        Assert.Equal("a\\ud800b\\udc00c" + char.ConvertFromUtf32(0x1F600) + "\\ud83d", PrintableText.Of(text));
    }

    [Fact]
    public void A_long_value_is_cut_with_an_ellipsis()
    {
        var shown = PrintableText.Of(new string('a', 10_000), 50);

        Assert.Equal(new string('a', 50) + "…", shown);
    }

    [Fact]
    public void Escapes_count_towards_the_length_and_are_never_cut_in_half()
    {
        var shown = PrintableText.Of("ab\u001b\u001b\u001b", 5);

        Assert.Equal("ab\\e…", shown);
    }

    [Fact]
    public void Random_binary_data_comes_out_without_a_control_character()
    {
        var random = new Random(3);
        var chars = new char[4096];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 0x10000);
        }

        var shown = PrintableText.Of(new string(chars), 100_000);

        Assert.DoesNotContain(shown, c => char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E'));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(shown) > 0);
        for (var i = 0; i < shown.Length; i++)
        {
            if (char.IsHighSurrogate(shown[i]))
            {
                Assert.True(i + 1 < shown.Length && char.IsLowSurrogate(shown[++i]));
            }
            else
            {
                Assert.False(char.IsLowSurrogate(shown[i]));
            }
        }
    }
}
