/// python's `static_files`: URL path prefixes mapped to files or folders, for development servers.
///
/// `["/": "index.html", "/static": "./public"]`, or with a content type:
/// `["/data": StaticFileRule(filename: "data.bin", contentType: "application/x-thing")]`.
public struct StaticFiles: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public var rules: [String: StaticFileRule]

    public init(rules: [String: StaticFileRule]) { self.rules = rules }

    public init(dictionaryLiteral elements: (String, StaticFileRule)...) {
        rules = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public func validate(option: String) throws(OptionError) {
        for (key, rule) in rules where rule.filename.isEmpty {
            throw OptionError(option: option, message: "the rule for \"\(key)\" has an empty filename")
        }
    }
}

/// What one `static_files` key serves: a file or folder, and optionally the content type for all of it.
public struct StaticFileRule: Sendable, Hashable, ExpressibleByStringLiteral {
    public var filename: String
    public var contentType: String?

    public init(filename: String, contentType: String? = nil) {
        self.filename = filename
        self.contentType = contentType
    }

    public init(stringLiteral value: String) { self.init(filename: value) }
}
