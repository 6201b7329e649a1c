import EngineIOTestSupport
import Testing

/// Every client test that talks to a real server on loopback: serialized, and never beside the server's loopback
/// tests (``LoopbackGate``).
@Suite("Client loopback", .serialized, .loopbackGate)
enum ClientLoopbackTests {}
