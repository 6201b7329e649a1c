/// Renders `Generated/API.md`: python-engineio's names beside ours, with defaults and docs.
struct APITableRenderer {
    let spec: Spec

    func render() -> String {
        var lines: [String] = [
            "# API table: python-engineio → swift-engineio",
            "",
            "Generated from `Spec/engineio.json` by `engineio-spec-gen`. Do not edit; regenerate with",
            "`\(SpecRenderer.regenerateCommand)`.",
            "",
            "Seconds in the API, milliseconds on the wire, as in python-engineio. Rows without a python name are our additions.",
            "",
        ]
        for set in spec.optionSets {
            lines.append("## `\(set.swift)`: " + set.python.map { "`\($0)`" }.joined(separator: ", "))
            lines.append("")
            lines.append(cell(set.doc))
            lines.append("")
            lines.append("| python | Swift | Swift type | python default | Swift default | allowed | doc |")
            lines.append("|---|---|---|---|---|---|---|")
            let renderer = OptionsRenderer(spec: spec)
            for option in set.options {
                let python = option.python.map { "`\($0)`" } ?? "(addition)"
                let swift = "`\(option.swift)`" + (option.isArgument ? " (argument)" : "")
                let swiftDefault = option.isRequired ? "(required)" : "`\(renderer.swiftDefault(option))`"
                let pythonDefault = option.pythonDefault.map { "`\($0)`" } ?? ""
                var allowed = option.range.map(describe) ?? ""
                if let unit = option.unit { allowed += allowed.isEmpty ? unitName(unit) : " \(unitName(unit))" }
                lines.append(
                    "| \(python) | \(swift) | `\(renderer.swiftType(option))` | \(pythonDefault) | \(swiftDefault) | \(cell(allowed)) | \(cell(option.doc)) |"
                )
            }
            lines.append("")
        }
        lines.append("## Disconnect reasons: `Server.reason`, `Client.reason` → `DisconnectReason`")
        lines.append("")
        lines.append("| python | Swift | reason string | raised by | doc |")
        lines.append("|---|---|---|---|---|")
        for reason in spec.disconnectReasons {
            let sides = [reason.raisedByServer ? "server" : nil, reason.raisedByClient ? "client" : nil].compactMap { $0 }
            lines.append(
                "| \(reason.python.map { "`\($0)`" } ?? "(addition)") | `.\(reason.swift)` | `\(reason.reason)` | \(sides.joined(separator: ", ")) | \(cell(reason.doc)) |"
            )
        }
        lines.append("")
        lines.append("## Handshake errors → `HandshakeError`")
        lines.append("")
        lines.append("| code | Swift | message | HTTP | python message | python HTTP | doc |")
        lines.append("|---|---|---|---|---|---|---|")
        for error in spec.handshakeErrors {
            lines.append(
                "| \(error.code) | `.\(error.swift)` | \(cell(error.message)) | \(error.httpStatus) | \(cell(error.pythonMessage ?? "")) | \(error.pythonHTTPStatus.map(String.init) ?? "") | \(cell(error.doc)) |"
            )
        }
        lines.append("")
        lines.append("## Packet types → `PacketType`")
        lines.append("")
        lines.append("| id | python constant | Swift | direction | doc |")
        lines.append("|---|---|---|---|---|")
        for packet in spec.packetTypes {
            lines.append(
                "| \(packet.id) | `\(packet.name.uppercased())` | `.\(packet.swift)` | \(cell(packet.direction)) | \(cell(packet.doc)) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// Table cells cannot hold `|` or line breaks.
    private func cell(_ text: String) -> String {
        text.replacingPipesAndNewlines()
    }
}

extension String {
    fileprivate func replacingPipesAndNewlines() -> String {
        var result = ""
        for character in self {
            switch character {
            case "|": result += "\\|"
            case "\n": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
