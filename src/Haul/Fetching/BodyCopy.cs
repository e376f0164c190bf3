namespace Haul.Fetching;

/// <summary>How a body copy ended.</summary>
/// <param name="Failure">Why it stopped; <see cref="FailureReason.None"/> when the body ended cleanly.</param>
/// <param name="Hedges">Hedged range requests opened for the body when it stalled.</param>
/// <param name="HedgesWon">Of those, the ones whose body replaced the stalled one.</param>
/// <param name="LongestRead">The longest wait of one read (our own bandwidth limit excluded): the body's longest silence.</param>
internal readonly record struct BodyCopy(ClassifiedFailure Failure, int Hedges, int HedgesWon, TimeSpan LongestRead);
