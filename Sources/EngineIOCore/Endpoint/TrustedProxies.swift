// Theory of operation
//
// Behind a reverse proxy, the TCP peer is the proxy: the client's address, the scheme it used and the host it asked
// for arrive in `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host`. Any client can send those headers
// too, so they are believed only when the TCP peer is a proxy the operator listed in `trustedProxies`.
//
// `X-Forwarded-For` is a list each proxy appends its own peer to. Read from the right, every entry up to and
// including the first untrusted one was written by a trusted proxy; entries left of it were written by the client
// and prove nothing. So the client is the rightmost entry that is not itself a trusted proxy (or, if every entry
// is trusted, the leftmost). Proto and host are single values set by the outermost proxy; of a list, the first.
//
// Everything here is a pure function of the request and the ranges: the endpoint applies it at admission, before
// CORS, the environ and the handlers see the request.

/// An IPv4 or IPv6 address, or a CIDR range of them, as written in `trustedProxies`.
public struct AddressRange: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), host bits cleared.
    public let network: [UInt8]
    /// How many leading bits must match.
    public let prefixLength: Int

    /// Parses `10.0.0.0/8`, `192.168.1.7`, `::1`, `fd00::/8` or `::ffff:10.0.0.0/104`; nil if it is none of these.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPAddress.parse(String(parts[0])) else { return nil }
        let width = bytes.count * 8
        var length = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...width).contains(given), !parts[1].hasPrefix("+") else { return nil }
            length = given
        }
        network = IPAddress.masked(bytes, prefixLength: length)
        prefixLength = length
    }

    /// Whether `address` (textual, IPv4 or IPv6) lies in the range. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`)
    /// match IPv4 ranges, as the kernel reports IPv4 peers on a dual-stack socket that way.
    public func contains(_ address: String) -> Bool {
        guard var bytes = IPAddress.parse(address) else { return false }
        if bytes.count == 16, network.count == 4, bytes[0..<12] == IPAddress.mappedPrefix[...] { bytes = Array(bytes[12...]) }
        guard bytes.count == network.count else { return false }
        return IPAddress.masked(bytes, prefixLength: prefixLength) == network
    }

    /// The range as the option spells it: `10.0.0.0/8`, or the bare address for a single one.
    public var description: String {
        let address = network.count == 4 ? network.map(String.init).joined(separator: ".") : IPAddress.formatIPv6(network)
        return prefixLength == network.count * 8 ? address : "\(address)/\(prefixLength)"
    }
}

/// The proxies whose forwarding headers the server believes, and what the forwarded request means.
public struct TrustedProxies: Hashable, Codable, Sendable {
    /// The addresses and ranges trusted.
    public var ranges: [AddressRange]

    /// These ranges; none trusts nobody.
    public init(ranges: [AddressRange] = []) { self.ranges = ranges }

    /// Parses the option's entries; the first one that is not an address or a range is the error.
    public init(parsing entries: [String]) throws(TrustedProxyError) {
        var ranges: [AddressRange] = []
        for entry in entries {
            guard let range = AddressRange(entry.trimmingSpaces()) else { throw TrustedProxyError(entry: entry) }
            ranges.append(range)
        }
        self.ranges = ranges
    }

    /// Whether `address` (a peer's, textual) lies in one of the ranges.
    public func isTrusted(_ address: String?) -> Bool {
        guard let address else { return false }
        return ranges.contains { $0.contains(address) }
    }

    /// The request as the client made it: `remoteAddress`, `scheme` and `publicHost` from the forwarding headers when
    /// the peer is trusted. From anyone else the headers are left in place (the application may read them) but mean
    /// nothing to the server.
    public func resolve(_ request: EngineIORequest) -> EngineIORequest {
        guard !ranges.isEmpty, isTrusted(request.remoteAddress) else { return request }
        var resolved = request
        if let forwardedFor = request.headerValues("X-Forwarded-For") {
            let hops = forwardedFor.split(separator: ",").map { Self.bareAddress(String($0).trimmingSpaces()) }.filter { !$0.isEmpty }
            if let client = hops.last(where: { !isTrusted($0) }) ?? hops.first { resolved.remoteAddress = client }
        }
        if let proto = request.header("X-Forwarded-Proto").map(Self.firstElement)?.lowercased(), proto == "http" || proto == "https" {
            resolved.scheme = proto
        }
        if let host = request.header("X-Forwarded-Host").map(Self.firstElement), !host.isEmpty {
            resolved.publicHost = host
        }
        return resolved
    }

    private static func firstElement(_ value: String) -> String {
        String(value.split(separator: ",", maxSplits: 1).first ?? "").trimmingSpaces()
    }

    /// An X-Forwarded-For entry without the port or brackets some proxies add (`[::1]:4000`, `10.0.0.1:4000`).
    static func bareAddress(_ entry: String) -> String {
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            return String(entry[entry.index(after: entry.startIndex)..<close])
        }
        if entry.filter({ $0 == ":" }).count == 1, let colon = entry.firstIndex(of: ":") { return String(entry[..<colon]) }
        return entry
    }
}

/// A `trustedProxies` entry that is neither an address nor a CIDR range.
public struct TrustedProxyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The entry as given.
    public var entry: String

    /// The error for `entry`.
    public init(entry: String) { self.entry = entry }
    /// What is wrong, naming the option.
    public var description: String { "trustedProxies: \"\(entry)\" is not an IP address or CIDR range" }
}

/// Textual IP addresses to bytes and back, without the C library (the core stays pure).
enum IPAddress {
    static let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]

    static func parse(_ text: String) -> [UInt8]? {
        text.contains(":") ? parseIPv6(text) : parseIPv4(text)
    }

    static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCIIDigit), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // a zone (fe80::1%eth0)
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt8]? {
            guard !part.isEmpty else { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowIPv4Tail, index == pieces.count - 1, piece.contains(".") {
                    guard let tail = parseIPv4(String(piece)) else { return nil }
                    bytes += tail
                } else {
                    guard (1...4).contains(piece.count), piece.allSatisfy(\.isHexDigit), let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    static func masked(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(8, max(0, prefixLength - index * 8))
            return keep == 8 ? byte : byte & ~(UInt8(0xff) >> keep)
        }
    }

    static func formatIPv6(_ bytes: [UInt8]) -> String {
        stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension EngineIORequest {
    /// Every value of a header, joined with `,` as HTTP allows (proxies may each add their own line).
    func headerValues(_ name: String) -> String? {
        let values = headerLines(name)
        return values.isEmpty ? nil : values.joined(separator: ",")
    }
}
