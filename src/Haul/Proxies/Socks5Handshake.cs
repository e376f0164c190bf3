using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Haul.Proxies;

/// <summary>
/// The client side of SOCKS5 (RFC 1928): no authentication, or a user name and password (RFC 1929), then CONNECT.
/// With <see cref="ProxyKind.Socks5h"/> the target's name goes to the proxy, which resolves it; with
/// <see cref="ProxyKind.Socks5"/> Haul resolves it and sends the address. (.NET's own SOCKS5 support always sends the
/// name, which is what curl calls socks5h, so Haul speaks SOCKS5 itself to honour both.) A failure of the proxy throws
/// <see cref="ProxyFailureException"/>; a target the proxy could not reach throws the <see cref="SocketException"/>
/// its reply code stands for, so that it is the target's failure.
/// </summary>
internal static class Socks5Handshake
{
    private const byte Version = 5;
    private const byte NoAuthentication = 0;
    private const byte UserPassword = 2;
    private const byte Connect = 1;
    private const byte AddressIPv4 = 1;
    private const byte AddressDomain = 3;
    private const byte AddressIPv6 = 4;

    public static async Task ConnectAsync(Stream stream, ProxyEndpoint proxy, string host, int port, CancellationToken cancellationToken)
    {
        var buffer = new byte[600];
        buffer[0] = Version;
        buffer[1] = proxy.HasCredentials ? (byte)2 : (byte)1;
        buffer[2] = NoAuthentication;
        buffer[3] = UserPassword;
        await stream.WriteAsync(buffer.AsMemory(0, 2 + buffer[1]), cancellationToken).ConfigureAwait(false);
        await ReadExactlyAsync(stream, proxy, buffer.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        RequireVersion(proxy, buffer[0], Version);
        switch (buffer[1])
        {
            case NoAuthentication:
                break;
            case UserPassword when proxy.HasCredentials:
                await AuthenticateAsync(stream, proxy, buffer, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new ProxyFailureException(proxy, proxy.HasCredentials
                    ? "the SOCKS5 proxy accepts none of the authentication methods offered"
                    : "the SOCKS5 proxy asks for a user name and password", authentication: true);
        }

        var length = 0;
        buffer[length++] = Version;
        buffer[length++] = Connect;
        buffer[length++] = 0;
        var address = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? literal : null;
        if (address is null && proxy.Kind == ProxyKind.Socks5)
        {
            // socks5: the name is resolved here, as curl does; a name that does not resolve is the target's failure.
            var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new SocketException((int)SocketError.HostNotFound);
        }

        if (address is not null)
        {
            buffer[length++] = address.AddressFamily == AddressFamily.InterNetwork ? AddressIPv4 : AddressIPv6;
            address.TryWriteBytes(buffer.AsSpan(length), out var written);
            length += written;
        }
        else
        {
            var nameLength = Encoding.ASCII.GetByteCount(host);
            if (nameLength > 255)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            buffer[length++] = AddressDomain;
            buffer[length++] = (byte)nameLength;
            length += Encoding.ASCII.GetBytes(host, buffer.AsSpan(length));
        }

        buffer[length++] = (byte)(port >> 8);
        buffer[length++] = (byte)port;
        await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);

        await ReadExactlyAsync(stream, proxy, buffer.AsMemory(0, 5), cancellationToken).ConfigureAwait(false);
        RequireVersion(proxy, buffer[0], Version);
        var reply = buffer[1];
        var rest = buffer[3] switch
        {
            AddressIPv4 => 4 + 2 - 1,
            AddressIPv6 => 16 + 2 - 1,
            AddressDomain => buffer[4] + 2,
            _ => throw new ProxyFailureException(proxy, "the SOCKS5 proxy's reply is malformed"),
        };
        if (reply != 0)
        {
            throw reply switch
            {
                3 => new SocketException((int)SocketError.NetworkUnreachable),
                4 => new SocketException((int)SocketError.HostUnreachable),
                5 => new SocketException((int)SocketError.ConnectionRefused),
                6 => new SocketException((int)SocketError.TimedOut),
                2 => new ProxyFailureException(proxy, "the SOCKS5 proxy's rules do not allow this connection"),
                _ => new ProxyFailureException(proxy, $"the SOCKS5 proxy could not connect (reply {reply})"),
            };
        }

        await ReadExactlyAsync(stream, proxy, buffer.AsMemory(0, rest), cancellationToken).ConfigureAwait(false);
    }

    private static async Task AuthenticateAsync(Stream stream, ProxyEndpoint proxy, byte[] buffer, CancellationToken cancellationToken)
    {
        var user = Encoding.UTF8.GetBytes(proxy.UserName ?? string.Empty);
        var password = Encoding.UTF8.GetBytes(proxy.Password ?? string.Empty);
        if (user.Length is 0 or > 255 || password.Length > 255)
        {
            throw new ProxyFailureException(proxy, "a SOCKS5 user name must be 1 to 255 bytes and a password at most 255", authentication: true);
        }

        var length = 0;
        buffer[length++] = 1;
        buffer[length++] = (byte)user.Length;
        user.CopyTo(buffer, length);
        length += user.Length;
        buffer[length++] = (byte)password.Length;
        password.CopyTo(buffer, length);
        length += password.Length;
        await stream.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await ReadExactlyAsync(stream, proxy, buffer.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        if (buffer[1] != 0)
        {
            throw new ProxyFailureException(proxy, "the SOCKS5 proxy refused the user name and password", authentication: true);
        }
    }

    private static void RequireVersion(ProxyEndpoint proxy, byte actual, byte expected)
    {
        if (actual != expected)
        {
            throw new ProxyFailureException(proxy, "the proxy does not speak SOCKS5");
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, ProxyEndpoint proxy, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException exception)
        {
            throw new ProxyFailureException(proxy, "the SOCKS5 proxy closed the connection during the handshake", inner: exception);
        }
    }
}
