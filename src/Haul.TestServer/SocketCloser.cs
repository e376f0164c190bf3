using System.Net.Sockets;

namespace Haul.TestServer;

/// <summary>The two ways the server ends a connection.</summary>
internal static class SocketCloser
{
    /// <summary>Aborts with a TCP RST: zero linger makes close() discard pending data and reset.</summary>
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    /// <summary>Closes with a FIN after the data already written.</summary>
    public static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
