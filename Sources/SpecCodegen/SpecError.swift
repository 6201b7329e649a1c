/// A problem in the spec, located by file and JSON path, e.g.
/// `Spec/engineio.json: optionSets[0].options[3].default: 0 is below the minimum 1`.
public struct SpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    /// The `file: path: message` form; compilers and editors show it as a clickable diagnostic.
    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path): \(message)" }
}
