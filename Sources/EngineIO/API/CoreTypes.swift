public import EngineIOCore
public import EngineIOJSON
public import EngineIOWire

// The values of the lower layers that the façade hands out or takes, named here so that `import EngineIO` is
// enough to use Server, AsyncServer, Client and AsyncClient. Each is the lower layer's own type, not a copy. (A
// module built with the MemberImportVisibility feature also imports the defining module to use their members.)

/// One Engine.IO packet (`sendPacket`): its type and its data.
public typealias Packet = EngineIOCore.Packet
/// What a packet carries: text, bytes, or nothing.
public typealias PacketData = EngineIOCore.PacketData
/// A connect handler's answer: accept, or refuse (with a reason that becomes the 401 body).
public typealias ConnectVerdict = EngineIOCore.ConnectVerdict
/// The server's figures: sessions by transport, counters, event-loop lag (`Server.metrics`).
public typealias ServerMetrics = EngineIOCore.ServerMetrics
/// What the endpoint reads of an HTTP request (method, query, headers, scheme, addresses).
public typealias EngineIORequest = EngineIOCore.EngineIORequest
/// One query parameter of a request, decoded.
public typealias QueryItem = EngineIOCore.QueryItem
/// One header line of a request.
public typealias HeaderField = EngineIOCore.HeaderField
/// A JSON value: a refusal's body, a server's error body.
public typealias JSONValue = EngineIOJSON.JSONValue
/// An HTTP/1.1 request, as `handleRequest` and the fallback handlers take it.
public typealias HTTPRequest = EngineIOWire.HTTPRequest
/// An HTTP/1.1 response, as `handleRequest` and the fallback handlers give it.
public typealias HTTPResponse = EngineIOWire.HTTPResponse
/// A request's method, target and headers.
public typealias HTTPRequestHead = EngineIOWire.HTTPRequestHead
/// A response's status and headers.
public typealias HTTPResponseHead = EngineIOWire.HTTPResponseHead
/// An ordered list of HTTP header lines, looked up without regard to case.
public typealias HTTPHeaders = EngineIOWire.HTTPHeaders
