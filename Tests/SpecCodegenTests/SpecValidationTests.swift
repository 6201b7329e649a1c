import EngineIOJSON
import SpecCodegen
import Testing

/// Edits the real spec in memory and checks that the validator names the JSON path of the mistake.
@Suite("Spec validation")
struct SpecValidationTests {
    private func specJSON() throws -> JSONValue { try JSONParser.parse(try loadSpecBytes()) }

    /// Applies `edit` to the member at `path` (keys and indices) and returns the error the loader reports.
    private func error(editing path: [PathStep], _ edit: (inout JSONValue) -> Void) throws -> SpecError? {
        var document = try specJSON()
        modify(&document, path[...], edit)
        var bytes: [UInt8] = []
        JSONSerializer.serialize(document, into: &bytes)
        do {
            _ = try Spec(json: bytes, file: "Spec/engineio.json")
            return nil
        } catch {
            return error
        }
    }

    enum PathStep {
        case key(String)
        case index(Int)
    }

    private func modify(_ value: inout JSONValue, _ path: ArraySlice<PathStep>, _ edit: (inout JSONValue) -> Void) {
        guard let step = path.first else { return edit(&value) }
        switch (step, value) {
        case (.key(let key), .object(var members)):
            if let position = members.firstIndex(where: { $0.key == key }) {
                modify(&members[position].value, path.dropFirst(), edit)
            } else {
                var added = JSONValue.null
                modify(&added, path.dropFirst(), edit)
                members.append(JSONMember(key, added))
            }
            value = .object(members)
        case (.index(let index), .array(var elements)):
            modify(&elements[index], path.dropFirst(), edit)
            value = .array(elements)
        default:
            Issue.record("path does not exist in the spec")
        }
    }

    @Test("the committed spec is valid")
    func committedSpecIsValid() throws {
        let spec = try Spec(json: try loadSpecBytes(), file: "Spec/engineio.json")
        #expect(spec.packetTypes.map(\.id) == [0, 1, 2, 3, 4, 5, 6])
        #expect(spec.optionSets.map(\.swift).contains("ServerOptions"))
    }

    @Test("a default below its minimum is reported at its JSON path")
    func defaultBelowMinimum() throws {
        let failure = try error(editing: [.key("optionSets"), .index(0), .key("options"), .index(2), .key("default")]) { $0 = 0 }
        #expect(failure?.description == "Spec/engineio.json: optionSets[0].options[2].default: 0 is below the minimum (exclusive) 0")
    }

    @Test("an unknown key is an error, not ignored")
    func unknownKey() throws {
        let failure = try error(editing: [.key("packetTypes"), .index(1), .key("colour")]) { $0 = "red" }
        #expect(failure?.description == "Spec/engineio.json: packetTypes[1].colour: unknown key")
    }

    @Test("an empty doc is an error")
    func emptyDoc() throws {
        let failure = try error(editing: [.key("disconnectReasons"), .index(0), .key("doc")]) { $0 = "  " }
        #expect(failure?.description == "Spec/engineio.json: disconnectReasons[0].doc: documentation must not be empty")
    }

    @Test("duplicate names and ids are errors")
    func duplicates() throws {
        let name = try error(editing: [.key("transports"), .index(1), .key("swift")]) { $0 = "polling" }
        #expect(name?.description == "Spec/engineio.json: transports[1].swift: duplicate swift polling")
        let id = try error(editing: [.key("packetTypes"), .index(6), .key("id")]) { $0 = 0 }
        #expect(id?.description == "Spec/engineio.json: packetTypes[6].id: duplicate id 0")
    }

    @Test("a default of the wrong type or outside an enum is an error")
    func wrongDefault() throws {
        let type = try error(editing: [.key("optionSets"), .index(0), .key("options"), .index(4), .key("default")]) { $0 = "yes" }
        #expect(type?.description == "Spec/engineio.json: optionSets[0].options[4].default: \"yes\" does not fit the option's type")
        let transport = try error(editing: [.key("optionSets"), .index(0), .key("options"), .index(15), .key("default")]) {
            $0 = ["polling", "carrier-pigeon"]
        }
        #expect(
            transport?.description
                == "Spec/engineio.json: optionSets[0].options[15].default: \"carrier-pigeon\" is not a transport listed in `transports`")
    }

    @Test("a missing required key is reported")
    func missingKey() throws {
        var document = try specJSON()
        guard case .object(var members) = document else { return }
        members.removeAll { $0.key == "framing" }
        document = .object(members)
        var bytes: [UInt8] = []
        JSONSerializer.serialize(document, into: &bytes)
        #expect(throws: SpecError(file: "Spec/engineio.json", path: "framing", message: "missing required key")) {
            try Spec(json: bytes, file: "Spec/engineio.json")
        }
    }

    @Test("adding an option to the spec adds a property, an initialiser parameter and an API table row")
    func addingAnOptionChangesTheAPI() throws {
        var document = try specJSON()
        modify(&document, [.key("optionSets"), .index(0), .key("options")][...]) { options in
            guard case .array(var list) = options else { return }
            list.append([
                "swift": "maxSessions", "python": nil, "type": "int", "default": 100, "range": ["min": 1],
                "doc": "At most this many sessions at once.",
            ])
            options = .array(list)
        }
        var bytes: [UInt8] = []
        JSONSerializer.serialize(document, into: &bytes)
        let files = SpecRenderer.render(try Spec(json: bytes, file: "Spec/engineio.json"))
        let options = try #require(files.first { $0.path == "EngineIOSpec/Options.swift" }).contents
        #expect(options.contains("    public var maxSessions: Int\n"))
        #expect(options.contains("        maxSessions: Int = 100\n"))
        #expect(options.contains("try OptionError.require(maxSessions, option: \"maxSessions\", min: 1, max: nil, minExclusive: false)"))
        let table = try #require(files.first { $0.path == "API.md" }).contents
        #expect(table.contains("| (addition) | `maxSessions` | `Int` |  | `100` | ≥ 1 | At most this many sessions at once. |"))
        // Server(maxSessions: …) and AsyncServer(maxSessions: …) too, handed on to ServerOptions.
        let initializers = try #require(files.first { $0.path == "EngineIO/Initializers.swift" }).contents
        #expect(initializers.ranges(of: "        maxSessions: Int = 100\n").count == 2)
        #expect(initializers.ranges(of: "                maxSessions: maxSessions\n").count == 2)
        // And a flag of eio serve, with the doc as its help.
        let commandLine = try #require(files.first { $0.path == "EngineIOSpec/CommandLine.swift" }).contents
        #expect(commandLine.contains(#"CommandLineFlag(flag: "--max-sessions", option: "maxSessions", valueName: "N", doc: "At most this many sessions at once"),"#))
        #expect(commandLine.contains(#"case "--max-sessions": maxSessions = try CommandLineValue.int(value(), option: "maxSessions")"#))
    }

    @Test("flag names are the options' names in kebab case; commandLine false leaves an option out")
    func commandLineFlags() throws {
        var document = try specJSON()
        modify(&document, [.key("optionSets"), .index(0), .key("options"), .index(2), .key("commandLine")][...]) { $0 = false }
        var bytes: [UInt8] = []
        JSONSerializer.serialize(document, into: &bytes)
        let files = SpecRenderer.render(try Spec(json: bytes, file: "Spec/engineio.json"))
        let commandLine = try #require(files.first { $0.path == "EngineIOSpec/CommandLine.swift" }).contents
        #expect(!commandLine.contains("\"--ping-timeout\""))
        #expect(commandLine.contains(#"case "--allow-eio3": allowEIO3 = true"#))
        #expect(commandLine.contains(#"case "--no-allow-eio3": allowEIO3 = false"#))
        let argument = try error(editing: [.key("optionSets"), .index(3), .key("options"), .index(0), .key("commandLine")]) { $0 = true }
        #expect(argument?.message == "only a field can be a flag")
    }

    @Test("swiftInitializers names Swift classes, each once")
    func initializerNames() throws {
        let lowercase = try error(editing: [.key("optionSets"), .index(0), .key("swiftInitializers"), .index(1)]) { $0 = "asyncServer" }
        #expect(lowercase?.description == "Spec/engineio.json: optionSets[0].swiftInitializers[1]: expected a distinct UpperCamelCase Swift class name")
        let twice = try error(editing: [.key("optionSets"), .index(0), .key("swiftInitializers"), .index(1)]) { $0 = "Server" }
        #expect(twice?.description == "Spec/engineio.json: optionSets[0].swiftInitializers[1]: expected a distinct UpperCamelCase Swift class name")
    }

    @Test("adding a packet type adds an enum case")
    func addingAPacketType() throws {
        var document = try specJSON()
        modify(&document, [.key("packetTypes")][...]) { types in
            guard case .array(var list) = types else { return }
            list.append([
                "id": 7, "name": "custom", "swift": "custom", "versions": [4], "direction": "both", "doc": "An experiment.",
            ])
            types = .array(list)
        }
        var bytes: [UInt8] = []
        JSONSerializer.serialize(document, into: &bytes)
        let files = SpecRenderer.render(try Spec(json: bytes, file: "Spec/engineio.json"))
        let protocolFile = try #require(files.first { $0.path == "EngineIOSpec/Protocol.swift" }).contents
        #expect(protocolFile.contains("    /// An experiment.\n    case custom = 7\n"))
    }
}
