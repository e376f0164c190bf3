using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Haul.Testing;

/// <summary>
/// Clears the proxy environment variables when the test assembly loads, so that a machine or CI runner that sets
/// them does not send the tests' loopback traffic (or the processes they start) through some proxy. Tests of the
/// variables pass their own environment.
/// </summary>
internal static class ProxyEnvironmentReset
{
    private static readonly string[] Names =
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "A test assembly's process-wide setup: nothing may run before it.")]
    internal static void Clear()
    {
        foreach (var name in Names)
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
