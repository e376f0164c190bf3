namespace Haul.Input;

/// <summary>A line read by <see cref="BoundedLineReader"/>.</summary>
/// <param name="Text">The line without its line break; only its first characters when it is too long.</param>
/// <param name="TooLong">The line was longer than the reader's maximum, and <paramref name="Text"/> is cut.</param>
internal readonly record struct BoundedLine(string Text, bool TooLong);
