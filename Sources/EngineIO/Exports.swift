// The generated vocabulary (transports, reasons, option structs) is part of the façade's API, so importing EngineIO
// is enough to configure a server or a client. The pure core (EngineIOCore) is not re-exported: the façade names
// the few core values it hands out (see CoreTypes.swift), and reducer users import EngineIOCore themselves.
@_exported public import EngineIOSpec
