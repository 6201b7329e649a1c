// The public API re-exports the protocol vocabulary and reducers.
@_exported public import EngineIOCore
