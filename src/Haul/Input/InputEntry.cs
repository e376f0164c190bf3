namespace Haul.Input;

/// <summary>One entry of a job's input, as it streams in: a <see cref="DownloadRequest"/> or a <see cref="SkippedInput"/>.</summary>
public abstract record InputEntry;
