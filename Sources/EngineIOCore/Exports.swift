// The generated vocabulary (packet types, reasons, options) is part of this module's API: importing EngineIOCore
// is enough to use it.
@_exported public import EngineIOSpec
