namespace Haul.Input;

/// <summary>An input entry that will not be downloaded, and the rule that skipped it.</summary>
/// <param name="Text">The entry as written.</param>
/// <param name="Source">Where it came from, e.g. <c>urls.txt:12</c> or <c>argument 3</c>.</param>
/// <param name="Rule">Why it is skipped, e.g. <c>unsupported scheme 'ftp'</c>.</param>
public sealed record SkippedInput(string Text, string Source, string Rule) : InputEntry;
