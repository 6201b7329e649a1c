/// Compact JSON text (no spaces), as both reference implementations emit on the wire.
public enum JSONSerializer {
    /// Appends the JSON text of `value` to `output`. With `asciiOnly`, every non-ASCII character is written as a
    /// `\u` escape (python's `ensure_ascii=True` default), otherwise as UTF-8.
    /// Non-finite doubles have no JSON spelling and are written as `null`, as JavaScript's `JSON.stringify` does.
    public static func serialize(_ value: JSONValue, asciiOnly: Bool = false, into output: inout [UInt8]) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number): output.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isFinite {
                if number == number.rounded(), abs(number) < 1e15 {
                    output.append(contentsOf: String(Int(number)).utf8)
                    output.append(contentsOf: ".0".utf8)
                } else {
                    output.append(contentsOf: String(number).utf8)
                }
            } else {
                output.append(contentsOf: "null".utf8)
            }
        case .string(let text): serialize(string: text, asciiOnly: asciiOnly, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                serialize(element, asciiOnly: asciiOnly, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (position, member) in members.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                serialize(string: member.key, asciiOnly: asciiOnly, into: &output)
                output.append(UInt8(ascii: ":"))
                serialize(member.value, asciiOnly: asciiOnly, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// The JSON text of `value`.
    public static func string(_ value: JSONValue, asciiOnly: Bool = false) -> String {
        var output: [UInt8] = []
        serialize(value, asciiOnly: asciiOnly, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a quoted JSON string.
    public static func serialize(string text: String, asciiOnly: Bool = false, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case "\\": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case "\n": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case "\r": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case "\t": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case "\u{08}": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case "\u{0C}": output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7E) {
                    if scalar.value > 0xFFFF {
                        for unit in String(scalar).utf16 { appendUnicodeEscape(unit, into: &output) }
                    } else {
                        appendUnicodeEscape(UInt16(scalar.value), into: &output)
                    }
                } else if scalar.isASCII {
                    output.append(UInt8(truncatingIfNeeded: scalar.value))
                } else {
                    UTF8.encode(scalar) { output.append($0) }
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ unit: UInt16, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\\"))
        output.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            output.append(hexDigits[Int((unit >> UInt16(shift)) & 0xF)])
        }
    }
}
