using System.Globalization;

namespace Haul.TestServer;

/// <summary>Per-request probabilities of random faults on file requests.</summary>
public sealed class FaultProfile
{
    /// <summary>Probability per request of each fault kind; the sum must not exceed 1.</summary>
    public IReadOnlyDictionary<FaultKind, double> Rates { get; init; } = new Dictionary<FaultKind, double>();

    /// <summary>After this many random faults on one path, that path is served cleanly, so a retrying client always finishes.</summary>
    public int MaxFaultsPerPath { get; init; } = 2;

    /// <summary>No random faults.</summary>
    public static FaultProfile None { get; } = new();

    /// <summary>About 15% of requests faulted with a realistic mix; used by the demo.</summary>
    public static FaultProfile Moderate { get; } = new()
    {
        Rates = new Dictionary<FaultKind, double>
        {
            [FaultKind.ResetMidBody] = 0.03,
            [FaultKind.Truncate] = 0.02,
            [FaultKind.Stall] = 0.005,
            [FaultKind.TooManyRequestsSeconds] = 0.025,
            [FaultKind.ServiceUnavailable] = 0.02,
            [FaultKind.SoftBlock] = 0.015,
            [FaultKind.Chunked] = 0.02,
            [FaultKind.RangeIgnored] = 0.015,
        },
    };

    /// <summary>Every transient fault kind, about 40% of requests faulted in total.</summary>
    public static FaultProfile Hostile { get; } = new()
    {
        Rates = new Dictionary<FaultKind, double>
        {
            [FaultKind.ResetMidBody] = 0.04,
            [FaultKind.Truncate] = 0.03,
            [FaultKind.Stall] = 0.01,
            [FaultKind.SlowDrip] = 0.02,
            [FaultKind.TooManyRequestsSeconds] = 0.04,
            [FaultKind.TooManyRequestsDate] = 0.03,
            [FaultKind.ServiceUnavailable] = 0.04,
            [FaultKind.InternalServerError] = 0.03,
            [FaultKind.BadGateway] = 0.02,
            [FaultKind.GatewayTimeout] = 0.02,
            [FaultKind.SoftBlock] = 0.02,
            [FaultKind.WrongContentType] = 0.02,
            [FaultKind.Chunked] = 0.03,
            [FaultKind.RangeIgnored] = 0.03,
            [FaultKind.ETagChanged] = 0.02,
        },
    };

    /// <summary>Sum of all rates.</summary>
    public double TotalRate => Rates.Values.Sum();

    /// <summary>
    /// Parses <c>none</c>, <c>moderate</c>, <c>hostile</c> or a list such as
    /// <c>reset-mid-body=0.1,stall=0.02,max-faults-per-path=3</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid profile.</exception>
    public static FaultProfile Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        switch (trimmed.ToUpperInvariant())
        {
            case "NONE" or "":
                return None;
            case "MODERATE":
                return Moderate;
            case "HOSTILE":
                return Hostile;
        }

        var rates = new Dictionary<FaultKind, double>();
        var maxFaults = None.MaxFaultsPerPath;
        foreach (var part in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"Fault profile entry '{part}' must look like 'name=rate'. {Help()}");
            }

            var name = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            if (name.Equals("max-faults-per-path", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out maxFaults))
                {
                    throw new FormatException($"max-faults-per-path must be a non-negative integer, got '{value}'.");
                }

                continue;
            }

            if (!FaultKindNames.TryParse(name, out var kind))
            {
                throw new FormatException($"Unknown fault kind '{name}'. {Help()}");
            }

            if (!IsRandomKind(kind))
            {
                throw new FormatException($"Fault kind '{name}' cannot be drawn at random; only scripts inject it. {Help()}");
            }

            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1 || double.IsNaN(rate))
            {
                throw new FormatException($"Rate for '{name}' must be a number between 0 and 1, got '{value}'.");
            }

            rates[kind] = rate;
        }

        var profile = new FaultProfile { Rates = rates, MaxFaultsPerPath = maxFaults };
        if (profile.TotalRate > 1 + 1e-9)
        {
            throw new FormatException($"Fault rates sum to {profile.TotalRate.ToString("0.###", CultureInfo.InvariantCulture)}; the sum must not exceed 1.");
        }

        return profile;
    }

    /// <summary>True for kinds that may appear in a random profile (ResetMidBody through ETagChanged); the protocol violations after them are for scripts only.</summary>
    public static bool IsRandomKind(FaultKind kind) => kind is >= FaultKind.ResetMidBody and <= FaultKind.ETagChanged;

    /// <summary>The profile in the form accepted by <see cref="Parse"/>.</summary>
    public override string ToString()
    {
        if (!Rates.Any(p => p.Value > 0))
        {
            // A cap on faults that never come says nothing.
            return "none";
        }

        var parts = Rates.Where(p => p.Value > 0).OrderBy(p => p.Key)
            .Select(p => FaultKindNames.ToName(p.Key) + "=" + p.Value.ToString("0.####", CultureInfo.InvariantCulture))
            .Append("max-faults-per-path=" + MaxFaultsPerPath.ToString(CultureInfo.InvariantCulture));
        return string.Join(',', parts);
    }

    internal IEnumerable<string> Problems()
    {
        if (Rates is null)
        {
            yield return "Faults.Rates must not be null";
            yield break;
        }

        foreach (var (kind, rate) in Rates)
        {
            if (!IsRandomKind(kind))
            {
                yield return $"Faults.Rates[{kind}] is not a random fault kind";
            }

            if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                yield return $"Faults.Rates[{kind}] must be between 0 and 1";
            }
        }

        if (TotalRate > 1 + 1e-9)
        {
            yield return "Faults.Rates must sum to at most 1";
        }

        if (MaxFaultsPerPath < 0)
        {
            yield return "Faults.MaxFaultsPerPath must not be negative";
        }
    }

    private static string Help() =>
        "Use none, moderate, hostile, or name=rate pairs with names: "
        + string.Join(", ", Enum.GetValues<FaultKind>().Where(IsRandomKind).Select(FaultKindNames.ToName))
        + ", max-faults-per-path.";
}
