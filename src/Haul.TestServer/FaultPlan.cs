namespace Haul.TestServer;

/// <summary>A fault chosen for one request before it is checked for applicability.</summary>
/// <param name="Kind">The chosen kind.</param>
/// <param name="Scripted">True when it came from a script, so it does not use the per-path budget.</param>
/// <param name="Fraction">Seeded fraction (0.1 to 0.9) of the body sent before a cut.</param>
internal readonly record struct FaultPlan(FaultKind Kind, bool Scripted, double Fraction);
